"""Shared ground of every part: settings, storage, identity, audit, administrative units, i18n."""
