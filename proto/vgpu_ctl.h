/*
 * vgpu_ctl.h: vgpud's control socket, the contract between vgpud and its
 * clients (vgpuctl, the demo, the tests). A unix stream socket, 0600 (or
 * 0660 to --ctl-group); a client sends one JSON object on one line and
 * gets one JSON object on one line back, then the connection closes.
 * vgpud reads the whole request within VGPU_CTL_DEADLINE_MS.
 *
 * Every answer has "ok" (bool), and "error" (string) when it is false.
 *   {"cmd": "status"}
 *       -> {"ok", "executor", "uptime_ns", "now_ns" (vgpud's monotonic
 *          clock, the execution log's), "poll_spin_ns", "pools": [...],
 *          "vms": [...]}; docs/vgpuctl.md lists the pool and VM fields.
 *   {"cmd": "vm-update", "uuid": UUID}   re-read the VM from the store
 *   {"cmd": "vm-remove", "uuid": UUID}   cancel its jobs, close its channels
 *   {"cmd": "pool-update", "pool": NAME} re-read the pool (its time limit)
 */
#ifndef VGPU_CTL_H
#define VGPU_CTL_H

#define VGPU_CTL_SOCKET_DEFAULT "/run/vgpu/vgpud.ctl"
#define VGPU_CTL_SOCKET_ENV     "VGPU_CTL"
#define VGPU_CTL_DEADLINE_MS    1000 /* vgpud's limit for reading one request */
#define VGPU_CTL_REQUEST_MAX    4096 /* longest request line vgpud reads */

#define VGPU_CTL_CMD_STATUS      "status"
#define VGPU_CTL_CMD_VM_UPDATE   "vm-update"
#define VGPU_CTL_CMD_VM_REMOVE   "vm-remove"
#define VGPU_CTL_CMD_POOL_UPDATE "pool-update"

#define VGPU_CTL_KEY_CMD   "cmd"
#define VGPU_CTL_KEY_OK    "ok"
#define VGPU_CTL_KEY_ERROR "error"
#define VGPU_CTL_KEY_UUID  "uuid"
#define VGPU_CTL_KEY_POOL  "pool"

#endif /* VGPU_CTL_H */
