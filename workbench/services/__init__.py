"""Remote services the app uses when online: the AI provider (text and images for proposals).

Offline, or with no provider configured, everything still works from templates and local
data, and the requests that need the network wait in a queue for the next connection.
"""
