"""Word banks for the panel's reviews: each persona's sentences and the values of their slots.

Slots: {name} {vendor} {vposs} {comp} {comp2} {thing} {primitive} {year} {months} {n} {price}
{pkg} {size} {ctx} {buyer}. Static data; `replica.generate` draws from it with seeded RNGs.
"""

from __future__ import annotations

REVIEW_OPENERS: dict[str, tuple[str, ...]] = {
    "Builder": (
        "The primitive here is clean: {primitive}, and the install is a single `{pkg}` away.",
        "The primitive is {primitive} — no new runtime, no platform account, no env var maze.",
        "The DX bet is that developers want {primitive} they can wire up in under {n}0 minutes, "
        "and that bet is mostly right.",
        "I judge these on the first ten minutes, and {name} gets {primitive} running before the "
        "coffee is done.",
        "Strip the launch copy away and {name} is {primitive} with decent docs.",
        "The primitive here is {primitive}, which is exactly the layer most teams end up "
        "building themselves.",
    ),
    "Skeptic": (
        "Direct competitors are {comp} and {comp2}, so {name} is not operating in a vacuum.",
        "The category is {thing}s, and the direct competitor is {comp} — a crowded field.",
        "Direct competitor is {comp}, and the honest comparison comes down to switching cost.",
        "Every launch in this category claims {n}x; {vposs} numbers are {vposs} numbers until "
        "someone replicates them.",
        "Category: {thing}, competing head-on with {comp}, {comp2}, and whatever ships next "
        "month.",
        "“{n}x faster” is the headline; the fine print is where {name} actually lives.",
    ),
    "Futurist": (
        "The thesis here is falsifiable: by {year}, most {thing} workloads will run where the "
        "data already lives.",
        "The thesis {name} bets on: by {year}, the {thing} layer commoditizes and value moves "
        "to workflow.",
        "The thesis is specific — within {months} months, {thing}s become a default line item "
        "in every dev budget.",
        "By {year}, I expect the interesting fight to be distribution, not benchmarks, and "
        "{name} is early to that.",
    ),
    "Founder": (
        "The buyer here is {buyer}, writing checks from an infrastructure budget.",
        "The buyer is {buyer}, and that is a real budget with a real pain point.",
        "Who pays? Mostly {buyer}, on a card, which is great for adoption and bad for "
        "retention.",
        "The buyer here isn't a consumer — it's {buyer} who needs this without a {price} "
        "surprise.",
    ),
}

REVIEW_MIDDLES: dict[str, tuple[str, ...]] = {
    "Builder": (
        "The moment of truth is `{pkg}` plus one call, and it survives it.",
        "Latency on a {size} config was fine in my tests — ~{n}00ms to first token.",
        "The API surface is OpenAI-compatible, so migration is a base URL swap and a model "
        "string change.",
        "Docs are honest about limits, which I trust more than a glossy benchmark table.",
        "Error messages are actionable; the CLI even suggests the fix 🙌.",
        "The SDK ships typed responses, retries and streaming — the boring parts done right.",
        "My one gripe: “{n}x faster” is marketing until there's a public harness with "
        "methodology attached.",
    ),
    "Skeptic": (
        "The scenario where this breaks is long multi-step work, where reliability matters "
        "more than the demo.",
        "What kills this in {months} months isn't a competitor, it's {comp} shipping the same "
        "thing as a checkbox.",
        "The benchmark claims need independent replication — {vposs} own evals are {vposs} "
        "own evals.",
        "At {price}, the pricing is doing heavy lifting on the word ‘comparable’.",
        "The failure mode is quiet: {n}% of outputs look right and aren't, and nobody notices "
        "until production.",
        "Nothing here is a moat; a team of {n} could clone the workflow in a quarter.",
    ),
    "Futurist": (
        "The second-order effect that matters: cheap {thing}s push value toward whoever owns "
        "the workflow.",
        "If {vendor} is right, the {year} stack has a routing layer in front of many small "
        "models, not one big one.",
        "The dependency to watch is hardware — NPUs and consumer GPUs have to keep getting "
        "cheaper.",
        "The second-order effect nobody is talking about is data: every fine-tune on this "
        "base compounds.",
        "This is on-time, not early — but on-time with a real product beats early with a "
        "pitch deck.",
    ),
    "Founder": (
        "The moat isn't the model — it's distribution and the fact that {buyer} already "
        "trusts {vendor}.",
        "The pricing architecture is usage-based, which aligns cost with value and keeps the "
        "sales cycle short.",
        "The business risk is that {comp} bundles this for free and the wedge disappears.",
        "The expand story requires teams to graduate to paid seats, and that conversion is "
        "notoriously leaky.",
        "Switching costs are a config change, so retention has to come from workflow lock-in.",
        "At {price}, the unit economics work for teams of {n}0+, not for solo devs.",
    ),
}

REVIEW_CLOSERS: dict[str, dict[str, tuple[str, ...]]] = {
    "Builder": {
        "ship": ("That earns the ship.", "Shipping it — the engineering is real.",
                 "It does the job on day one, so it ships."),
        "skip": ("Until the setup story improves, I'm skipping.",
                 "Too much glue for too little gain — skip.",
                 "A weekend script gets you 80% of this; skip for now."),
    },
    "Skeptic": {
        "ship": ("Still, the product is real, and that's worth shipping.",
                 "Ships now because the window is real.",
                 "I'm shipping on the track record, not the benchmark claim."),
        "skip": ("I'd wait for the second release — skip.",
                 "Skip until someone outside {vendor} reproduces the numbers.",
                 "Too easy to replace; skip."),
    },
    "Futurist": {
        "ship": ("The trend line is real and {name} is on it — ship.",
                 "Ship: this moves the line.",
                 "It's the right bet on the right curve."),
        "skip": ("The thesis is fine; this product isn't the one that proves it. Skip.",
                 "Too early, and early is a polite word for wrong here — skip.",
                 "Interesting, but the future described here belongs to someone else."),
    },
    "Founder": {
        "ship": ("It works as a business if the volume is there, and {vendor} has the volume.",
                 "A real buyer, a real budget — ship.",
                 "Strong product, defensible enough business: ship."),
        "skip": ("A strong product with a fragile business — skip.",
                 "I can't find the moat, so I can't find the ship.",
                 "Until there are enterprise contracts with SLAs, this is a skip."),
    },
}

BUYERS: tuple[str, ...] = (
    "the platform team at a 50-500 person SaaS company",
    "a mobile developer shipping to the App Store",
    "an ML engineer with a GPU budget and no MLOps team",
    "the staff engineer who owns the CI pipeline",
    "a solo founder who bills by the project",
    "the infrastructure team at a bank that can't send data to a US cloud",
)

YEARS: tuple[str, ...] = ("2026", "2027", "2028")

#: Well-known rivals per kind, for the Skeptic's "direct competitors are …".
COMPETITORS: dict[str, tuple[str, ...]] = {
    "vlm": ("Moondream2", "PaliGemma 2", "Qwen2-VL-2B", "MobileVLM", "Florence-2"),
    "llm-open": ("Llama 3.3 70B", "Gemma 3 12B", "Qwen2.5-7B", "Phi-4", "Mixtral 8x7B"),
    "llm-api": ("GPT-4o", "Claude 3.5 Sonnet", "Gemini 1.5 Pro", "GPT-4o mini", "Claude Haiku 3.5"),
    "code": ("GitHub Copilot", "Tabnine", "Supermaven", "Cody", "Amazon CodeWhisperer"),
    "agent": ("Devin", "OpenHands", "Aider", "SWE-agent", "Claude Code"),
    "infra": ("Fireworks AI", "Replicate", "Modal", "Baseten", "OpenRouter"),
    "speech": ("Whisper large-v3", "Deepgram Nova-3", "ElevenLabs", "AssemblyAI"),
    "image": ("Midjourney v7", "FLUX.1 dev", "DALL·E 3", "Ideogram 2"),
    "embed": ("text-embedding-3-large", "Voyage 3", "BGE-M3", "Jina Embeddings v3"),
    "sdk": ("LangChain", "LlamaIndex", "Instructor", "DSPy"),
    "ide": ("VS Code + Copilot", "Zed", "Cursor", "Windsurf"),
}
SIZES: tuple[str, ...] = ("1B", "2B", "3B", "7B", "8B", "9B", "12B", "14B", "22B", "32B", "70B")
CONTEXTS: tuple[str, ...] = ("32K", "128K", "200K", "256K", "1M")
PRICES: tuple[str, ...] = ("$0.10/M tokens", "$3/$15 per MTok", "$20/mo", "$0.40/M input",
                           "$39/seat", "$2.00/M output", "$0.0004/s")
