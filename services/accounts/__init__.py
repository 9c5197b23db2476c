"""Who people are: sign-in, SMS codes, sessions' owners, enterprise people, registration, central identity, WeChat binding, passwords."""
