"""Everything that talks to the EVM: compile, deploy, send, decode."""
