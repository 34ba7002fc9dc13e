"""docbot, the application: the `docbot` CLI, console and Telegram adapters over `retrieval`."""
