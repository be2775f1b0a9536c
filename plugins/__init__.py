"""Feature plugins. Each sub-package is one feature; it never imports a platform SDK."""
