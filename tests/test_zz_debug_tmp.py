from tests import wgnet
from tests.test_miniapp_page import init_data
from rq.registry import FailedJobRegistry
from lib.queue import queue, QUEUES

def test_dbg(make_shop):
    with wgnet.WireGuardLab() as lab:
        shop = make_shop(wg=lab, SANDBOX_PAYMENTS="true")
        data, user = init_data(shop.settings.bot_token, 7100200)
        H = {"Authorization": f"tma {data}"}
        print(shop.client.get("/miniapp_api/api/me", headers=H).get_json())
        r = shop.client.post("/miniapp_api/api/orders", json={"product":"vpn","plan":"vpn-1m","provider":"sandbox"}, headers=H).get_json()
        print(shop.client.post(f"/miniapp_api/api/orders/{r['order_id']}/sandbox_pay", headers=H).get_json())
        shop.run_jobs(); print("peers", lab.peers())
        print(shop.client.post("/miniapp_api/api/vpn/1/pause", headers=H).get_json())
        print(shop.run_jobs()); print("peers", lab.peers())
        print(shop.client.post("/miniapp_api/api/vpn/1/resume", headers=H).get_json())
        print(shop.run_jobs()); print("peers", lab.peers())
        for n in QUEUES:
            reg = FailedJobRegistry(queue=queue(shop.redis, n))
            for j in reg.get_job_ids(): print(n, j, queue(shop.redis,n).fetch_job(j).exc_info)
