"""The Slack front-end: slack-bolt ``AsyncApp`` listeners, the Block Kit sender, the runner."""
