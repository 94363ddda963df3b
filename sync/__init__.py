"""Sync: the wire protocol, the client that keeps a replica in step, and the central server
with its admin command line (architecture D4-D6). Depends on `workbench`, never on Qt."""
