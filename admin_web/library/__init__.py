"""The admin web's declaration-standard library: uploads, their reports, the stored rows."""
