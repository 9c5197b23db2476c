"""What reaches people: notification events, the outbox and its dispatcher, SMS, officers' WeChat notices."""
