"""The bench's fixed values: the target, the shop's user and key, the IP pool, the fakes' lifetime."""

TARGET_OVERHEAD_S = 3.0  # from the issue: provisioning adds at most 3 s to Proxmox's own task time
BOT_TOKEN = "123456:BENCH-vps-token-aaaaaaaaaaaaaaaa"
USER_ID = 880001
SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb0KmS1oXbhYk1hP0Vn6m+vM2o0yWcCrH8y1yH7bq7k bench@shop"
POOL = "203.0.113.10-203.0.113.254/24"  # 245 addresses: every bench VM keeps its own
MAX_ORDERS = 240
FAKE_LIFETIME_S = 3600  # the fakes' process ends by itself after this, whatever happens here
TASK_ACTIONS = ("clone", "resize", "start")
NOISY_OTHER_PERCENT = 10.0  # CPU of other processes during a scenario, % of the machine
MIN_POLL_GAP_S = 0.09  # a gap between two task-status polls shorter than this is a tight loop
