# Minimal x86_64 device set for vgpu-stub: the q35 machine and our device.
CONFIG_Q35=y
CONFIG_VGPU_STUB=y
