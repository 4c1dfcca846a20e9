"""The interactive API documentation (/docs), served with its assets by the app itself."""
