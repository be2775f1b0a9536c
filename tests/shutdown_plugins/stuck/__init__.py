"""The `stuck` test plugin: commands that never finish."""
