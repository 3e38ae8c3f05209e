"""A local Anvil dev chain: start it from node_modules, deploy, keep the manifest."""
