"""Background jobs run by the worker (exports), with progress in the shared cache."""
