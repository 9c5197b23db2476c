"""The message centre (消息中心): in-app messages written with the events that cause them, read by one person."""
