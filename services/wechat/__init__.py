"""What the app keeps about its WeChat account: push claims (handled once) and the shared access_token."""
