"""The admin web's sign-in, a customs account's WeChat binding, and registration review."""
