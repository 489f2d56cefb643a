-- Sets the directories a sandboxed analyst session may read files under (?: a list of absolute directory paths, each ending in '/').
SET allowed_directories = ?;
