"""Who people are: sign-in, SMS codes, people, registration, central identity,
WeChat binding, passwords."""
