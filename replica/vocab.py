"""Word banks for the generated catalog: vendors, products, taglines, pricing, review sentences.

Everything here is static data; `replica.generate` draws from it with seeded RNGs. The review
sentences and their slot values live in `_review_words`; this module re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

from replica._review_words import (
    BUYERS,
    COMPETITORS,
    CONTEXTS,
    PRICES,
    REVIEW_CLOSERS,
    REVIEW_MIDDLES,
    REVIEW_OPENERS,
    SIZES,
    YEARS,
)

__all__ = [
    "BUYERS",
    "CATEGORIES",
    "COMPETITORS",
    "CONTEXTS",
    "DESCRIPTION_ADJ",
    "DESCRIPTION_CLOSERS",
    "DESCRIPTION_DOES",
    "DESCRIPTION_MIDDLES",
    "DESCRIPTION_OPENERS",
    "DESCRIPTION_OPENERS_NO_VENDOR",
    "KIND_PRICING",
    "KIND_PRIMITIVE",
    "KIND_THING",
    "LEDE",
    "PERSONAS",
    "PERSPECTIVES",
    "PRICES",
    "PRICING",
    "REVIEW_CLOSERS",
    "REVIEW_MIDDLES",
    "REVIEW_OPENERS",
    "SIZES",
    "SLUG_VERBS",
    "TAGLINES",
    "TAGLINE_KEYWORDS_STOP",
    "VARIANT_SUFFIXES",
    "VENDORS",
    "YEARS",
    "Product",
    "Vendor",
]

PERSONAS: tuple[str, ...] = ("Builder", "Skeptic", "Futurist", "Founder")

#: The heading a tool page gives each persona's review ("The Builder — Developer Perspective").
PERSPECTIVES: dict[str, str] = {
    "Builder": "Developer Perspective",
    "Skeptic": "Critical Analysis",
    "Futurist": "Future Outlook",
    "Founder": "Business Perspective",
}

CATEGORIES: tuple[str, ...] = (
    "Developer Tools",
    "AI Models",
    "Open Source Models",
    "Foundation Models",
    "Models",
    "AI/ML Models",
    "Developer Productivity",
)

LEDE = (
    "Which one should you ship with? Here is the side-by-side panel verdict, pricing read, "
    "reviewer split, and community vote comparison."
)


@dataclass(frozen=True)
class Product:
    """A product line a vendor ships: display name, kind, and whether the slug may be bare."""

    name: str
    kind: str
    bare_slug: str | None = None  # older tools have bare slugs ("windsurf", "gemini-api")


@dataclass(frozen=True)
class Vendor:
    """A company: display name, slug prefixes (not always clean), possessive form, products."""

    name: str
    prefixes: tuple[str, ...]
    possessive: str
    products: tuple[Product, ...]


def _p(name: str, kind: str, bare: str | None = None) -> Product:
    return Product(name, kind, bare)


VENDORS: tuple[Vendor, ...] = (
    Vendor("Hugging Face", ("hugging-face", "huggingface", "hf"), "Hugging Face's", (
        _p("SmolLM3", "llm-open"), _p("Idefics4", "vlm"), _p("SmolAgents", "agent"),
        _p("Parler-TTS Mini", "speech"), _p("Inference Providers", "infra"))),
    Vendor("Mistral AI", ("mistral-ai", "mistral", "mistralai"), "Mistral's", (
        _p("Codestral 2", "code"), _p("Devstral Small", "agent"), _p("Pixtral Edge", "vlm"),
        _p("Le Chat Enterprise", "llm-api"))),
    Vendor("Meta", ("meta", "meta-ai"), "Meta's", (
        _p("Llama 4 Compact 12B", "llm-open"), _p("Llama 4 Scout", "llm-open"),
        _p("Llama 4 Maverick", "llm-open"), _p("Code Llama 4", "code"),
        _p("Llama Guard 4", "llm-open"))),
    Vendor("Google", ("google", "google-deepmind", "deepmind"), "Google's", (
        _p("Gemini API", "llm-api", "gemini-api"), _p("Gemini 2.5 Flash", "llm-api"),
        _p("Gemma 3 4B", "llm-open"), _p("PaliGemma 3", "vlm"), _p("Jules", "agent"),
        _p("Gemini Code Assist", "code"))),
    Vendor("Anthropic", ("anthropic",), "Anthropic's", (
        _p("Claude Sonnet 4.5", "llm-api"), _p("Claude Haiku 4", "llm-api"),
        _p("Claude Code", "agent", "claude-code"), _p("MCP Inspector", "sdk"))),
    Vendor("OpenAI", ("openai", "open-ai"), "OpenAI's", (
        _p("GPT-5 mini", "llm-api"), _p("Codex CLI", "agent"), _p("gpt-oss-20b", "llm-open"),
        _p("Realtime API", "speech"), _p("o4-mini", "llm-api"))),
    Vendor("Microsoft", ("microsoft", "msft"), "Microsoft's", (
        _p("Phi-4-mini", "llm-open"), _p("Phi-4 Reasoning", "llm-open"),
        _p("Copilot Studio", "agent"), _p("Magentic-UI", "agent"))),
    Vendor("Alibaba", ("alibaba", "qwen", "alibaba-cloud"), "Alibaba's", (
        _p("Qwen3-Coder 32B", "code"), _p("Qwen3 235B", "llm-open"),
        _p("Qwen2.5-VL 7B", "vlm"), _p("QwQ-Max", "llm-open"))),
    Vendor("DeepSeek", ("deepseek", "deepseek-ai"), "DeepSeek's", (
        _p("DeepSeek-R2 Lite", "llm-open"), _p("DeepSeek-V3.2", "llm-open"),
        _p("DeepSeek Coder V3", "code"))),
    Vendor("Cohere", ("cohere",), "Cohere's", (
        _p("Command A", "llm-api"), _p("Embed 4", "embed"), _p("Rerank 3.5", "embed"),
        _p("Aya Vision", "vlm"))),
    Vendor("Stability AI", ("stability-ai", "stability"), "Stability's", (
        _p("Stable Diffusion 3.5 Turbo", "image"), _p("Stable Audio Open", "speech"),
        _p("Stable Code 4", "code"))),
    Vendor("NVIDIA", ("nvidia",), "NVIDIA's", (
        _p("Nemotron Nano 9B", "llm-open"), _p("NIM Agent Blueprints", "infra"),
        _p("Parakeet TDT", "speech"), _p("Cosmos Reason", "vlm"))),
    Vendor("Apple", ("apple",), "Apple's", (
        _p("MLX Swift LM", "sdk"), _p("OpenELM 3B", "llm-open"),
        _p("Foundation Models framework", "sdk"))),
    Vendor("Amazon", ("amazon", "aws"), "Amazon's", (
        _p("Nova Pro", "llm-api"), _p("Q Developer", "code"), _p("Bedrock AgentCore", "infra"),
        _p("Kiro", "ide", "kiro"))),
    Vendor("xAI", ("xai", "x-ai"), "xAI's", (
        _p("Grok 4", "llm-api"), _p("Grok Code Fast", "code"), _p("Grok API", "llm-api"))),
    Vendor("Perplexity", ("perplexity", "perplexity-ai"), "Perplexity's", (
        _p("Sonar Pro API", "llm-api"), _p("Comet", "agent"), _p("Sonar Reasoning", "llm-api"))),
    Vendor("Replit", ("replit",), "Replit's", (
        _p("Replit Agent 3", "agent"), _p("Ghostwriter", "code", "ghostwriter"),
        _p("Replit Deployments", "infra"))),
    Vendor("Vercel", ("vercel",), "Vercel's", (
        _p("v0", "agent", "v0"), _p("AI SDK 5", "sdk"), _p("AI Gateway", "infra"))),
    Vendor("Anysphere", ("cursor", "anysphere"), "Anysphere's", (
        _p("Cursor", "ide", "cursor"), _p("Cursor Tab", "code"), _p("Bugbot", "agent"),
        _p("Background Agents", "agent"))),
    Vendor("Windsurf", ("windsurf", "codeium"), "Windsurf's", (
        _p("Windsurf", "ide", "windsurf"), _p("Cascade", "agent"), _p("SWE-1", "code"))),
    Vendor("JetBrains", ("jetbrains",), "JetBrains'", (
        _p("Junie", "agent", "junie"), _p("Mellum", "code"), _p("AI Assistant", "code"))),
    Vendor("GitHub", ("github",), "GitHub's", (
        _p("Copilot Coding Agent", "agent"), _p("Copilot Workspace", "agent"),
        _p("Spark", "agent"), _p("GitHub Models", "infra"))),
    Vendor("Databricks", ("databricks",), "Databricks'", (
        _p("DBRX Next", "llm-open"), _p("Mosaic AI Agent Framework", "agent"),
        _p("Lakebase", "infra"))),
    Vendor("Together AI", ("together-ai", "together", "togethercomputer"), "Together's", (
        _p("Together Inference Engine 3", "infra"), _p("Together Code Sandbox", "infra"),
        _p("Open Deep Research", "agent"))),
    Vendor("Groq", ("groq",), "Groq's", (
        _p("GroqCloud", "infra", "groqcloud"), _p("Compound Beta", "agent"),
        _p("LPU Inference API", "infra"))),
)

#: Suffixes for extra variants when a bigger catalog needs more tools than the base list.
VARIANT_SUFFIXES: tuple[str, ...] = (
    "Turbo", "Mini", "Pro", "Lite", "Edge", "Flash", "Nano", "Max", "Plus", "2", "3B", "8B",
    "70B", "Instruct", "Preview", "Enterprise", "Next", "XL", "Air", "Ultra",
)

#: Per-kind words: the thing, its primitive, and tagline templates.
KIND_THING: dict[str, str] = {
    "vlm": "vision-language model",
    "llm-open": "open-weight language model",
    "llm-api": "hosted model API",
    "code": "AI coding assistant",
    "agent": "autonomous coding agent",
    "infra": "inference platform",
    "speech": "speech model",
    "image": "image generation model",
    "embed": "embedding model",
    "sdk": "developer SDK",
    "ide": "AI-native code editor",
}

KIND_PRIMITIVE: dict[str, tuple[str, ...]] = {
    "vlm": ("a quantized VLM checkpoint", "an image-plus-text encoder you can run locally",
            "a vision-language model small enough for a phone"),
    "llm-open": ("a dense transformer with downloadable weights", "an open-weight checkpoint",
                 "a permissively licensed base model"),
    "llm-api": ("a hosted completion endpoint", "an OpenAI-compatible chat API",
                "a metered model endpoint"),
    "code": ("inline completions wired into the editor", "a code model behind an LSP-style plugin",
             "an autocomplete engine with repo context"),
    "agent": ("an agent loop that opens pull requests", "a sandboxed task runner with tool calls",
              "a planner that edits files and runs tests"),
    "infra": ("a serverless inference endpoint", "a managed GPU runtime",
              "a routing layer in front of many models"),
    "speech": ("a streaming speech endpoint", "a speech model checkpoint",
               "a realtime audio socket"),
    "image": ("a diffusion checkpoint", "a text-to-image endpoint", "a LoRA-friendly image model"),
    "embed": ("a vector embedding endpoint", "a reranker you call after retrieval",
              "an embedding model with long inputs"),
    "sdk": ("a typed SDK", "a thin library over on-device models", "a protocol client library"),
    "ide": ("a VS Code fork with an agent panel", "an editor with multi-file edits",
            "an IDE built around an agent"),
}

TAGLINES: dict[str, tuple[str, ...]] = {
    "vlm": ("Sub-{size} vision-language model that runs on your laptop",
            "Open-source {size} VLM that reads charts, screens and receipts",
            "Vision-language model for documents, now {n}x faster",
            "On-device image understanding without a cloud round trip 📱"),
    "llm-open": ("{size} open weights that actually compete",
                 "Apache 2.0 model at {size} with {ctx} context",
                 "Open-weight reasoning model for self-hosters",
                 "{size} model tuned for edge devices and function calling",
                 "100% open weights, 0% lock-in"),
    "llm-api": ("Frontier reasoning at {price_short} per million tokens",
                "{ctx} context, tool use, and a generous free tier",
                "Fast, cheap, and good enough for most production traffic ⚡",
                "Multimodal model API with native tool calling"),
    "code": ("Autocomplete that reads your whole repo",
             "Code completions in {n}0+ languages, tuned for latency",
             "Pair programmer for the terminal and the editor",
             "Code model that writes tests before it writes code"),
    "agent": ("Agent that turns issues into pull requests",
              "Background coding agent for long-running tasks 🤖",
              "Hand off the ticket, review the diff",
              "Multi-step agent with a sandbox and a browser"),
    "infra": ("Serverless inference for open models, billed per second",
              "One endpoint for {n}00+ models",
              "Low-latency inference at {tps} tokens/sec",
              "Deploy agents without managing GPUs"),
    "speech": ("Streaming speech-to-text under {n}00ms",
               "Realtime voice model for phone agents",
               "Open speech model with speaker control"),
    "image": ("Text-to-image in {n} steps",
              "Image model for product shots and UI mockups",
              "Open image weights with commercial use"),
    "embed": ("Multilingual embeddings for RAG at scale",
              "Reranker that fixes your retrieval quality",
              "Embeddings for text, images and code"),
    "sdk": ("TypeScript toolkit for building AI apps",
            "Run models on-device with a Swift API",
            "Debug and test MCP servers from your terminal"),
    "ide": ("The AI code editor",
            "Agentic IDE for spec-driven development",
            "Editor where the agent does the typing"),
}

TAGLINE_KEYWORDS_STOP = frozenset({
    "a", "an", "and", "the", "that", "your", "for", "with", "of", "to", "in", "on", "at", "by",
    "it", "its", "is", "now", "without", "from", "you",
})

DESCRIPTION_OPENERS: tuple[str, ...] = (
    "{name} is a {adj} {thing} from {vendor} that {does}.",
    "{vendor} has released {name}, a {adj} {thing} that {does}.",
    "{vposs} {name} is a {adj} {thing} that {does}.",
    "Built by the {vendor} team, {name} is a {thing} that {does}.",
    "{name} is {vposs} newest {thing}: it {does}.",
    "{vendor} launched {name} this week — a {adj} {thing} that {does}.",
)
DESCRIPTION_OPENERS_NO_VENDOR: tuple[str, ...] = (
    "{name} is a {adj} {thing} that {does}.",
    "{name} is a {thing} that {does}.",
)
DESCRIPTION_ADJ: tuple[str, ...] = (
    "compact", "production-ready", "fast", "open", "multilingual", "lightweight", "new",
    "long-context", "low-latency",
)
DESCRIPTION_DOES: dict[str, tuple[str, ...]] = {
    "vlm": ("answers questions about images, screenshots and scanned documents",
            "processes images and text together on consumer hardware"),
    "llm-open": ("ships with downloadable weights and a {ctx} context window",
                 "targets the {size} parameter class with strong multilingual reasoning"),
    "llm-api": ("exposes tool calling, JSON mode and a {ctx} context window over a REST API",
                "serves chat, vision and function calling through one endpoint"),
    "code": ("suggests multi-line completions using context from the whole repository",
             "writes, explains and refactors code inside the editor"),
    "agent": ("takes a GitHub issue, plans the change, edits files and opens a pull request",
              "runs long tasks in a cloud sandbox and reports back with a diff"),
    "infra": ("serves open models behind an OpenAI-compatible API with per-second billing",
              "routes requests across providers with caching, retries and spend limits"),
    "speech": ("transcribes and speaks in realtime with sub-second latency",
               "turns streaming audio into text with word-level timestamps"),
    "image": ("generates product shots, illustrations and UI mockups from a prompt",
              "renders high-resolution images in a handful of diffusion steps"),
    "embed": ("turns text, code and images into vectors for retrieval",
              "reorders search results so the right passage lands in the context window"),
    "sdk": ("wraps streaming, tool calls and structured output in a typed API",
            "lets apps call models locally with a few lines of code"),
    "ide": ("lets an agent edit many files at once while you review the diff",
            "pairs a familiar editor with an agent that plans, edits and runs commands"),
}
DESCRIPTION_MIDDLES: tuple[str, ...] = (
    "It benchmarks competitively against {comp} on the tasks most teams care about, at a "
    "fraction of the cost.",
    "Pricing starts at {price}, and there is a free tier for hobby projects.",
    "The release targets teams that want {ctx} of context without paying frontier prices.",
    "Setup is a single `{pkg}` install, and the docs include working examples for Python and "
    "TypeScript.",
    "Early users report {n}x faster iteration on “boring” glue code, though results vary by "
    "codebase.",
    "It runs locally on a 16GB laptop, so nothing leaves the machine.",
    "The weights are on the Hub under a permissive license, with GGUF and MLX builds ready to "
    "go.",
    "It integrates with GitHub, Slack and Linear out of the box.",
)
DESCRIPTION_CLOSERS: tuple[str, ...] = (
    "It is aimed at developers who want control over their inference stack.",
    "The pitch: less glue code, more shipping.",
    "It is generally available today, with enterprise plans on request.",
    "A public roadmap promises fine-tuning support later this year.",
    "For most teams it will slot in next to, not instead of, their existing tools.",
)

PRICING: dict[str, tuple[str, ...]] = {
    "open": ("Free / Open weights (Apache 2.0)", "Free / Open Source (Apache 2.0)",
             "Open source (MIT) — self-host free", "Free / Open weights (Llama license)",
             "Free weights; hosted API $0.10/M tokens"),
    "api": ("API pricing per token (approx. $0.40/M input, $2.00/M output tokens)",
            "$3/$15 per MTok", "$0.25/M input, $1.25/M output",
            "Pay-as-you-go; volume discounts above $5k/mo", "$2/M input · $8/M output tokens"),
    "seat": ("Free tier; Pro $20/mo", "$19/user/month (Business)", "Free for individuals, "
             "$39/seat for teams", "Included with Copilot Pro ($10/mo)", "Free during beta",
             "Hobby free · Pro $25/mo · Enterprise custom"),
    "infra": ("Usage-based — contact sales for reserved capacity", "$0.20 per GPU-minute",
              "Free tier (1M tokens/day), then usage-based", "Per-second billing from $0.0004/s"),
}
KIND_PRICING: dict[str, str] = {
    "vlm": "open", "llm-open": "open", "llm-api": "api", "code": "seat", "agent": "seat",
    "infra": "infra", "speech": "api", "image": "open", "embed": "api", "sdk": "open",
    "ide": "seat",
}
SLUG_VERBS: tuple[str, ...] = ("releases", "open-sources", "launches", "unveils", "ships",
                               "introduces")
