"""What persists on this computer: settings, the API key store, the app's folders."""
