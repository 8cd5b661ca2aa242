"""The live interview on this node: the per-interview runtime, its media analysis and the events it publishes."""
