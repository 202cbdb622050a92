"""What jobs.send_vpn_config hands over: the key's facts, its owner, and its client config."""
from lib.models import VpnPeer
from lib.models.database import run_transaction
from lib.vpn.locations import backend
from lib.vpn.peers import secrets_of


def to_deliver(rt, peer_id: int) -> dict:
    """{user_id, lang, peer: {id, address, expires_at}, config} for the key's owner."""
    def read():
        peer = VpnPeer[peer_id]
        return {"user_id": peer.user.id, "lang": peer.user.language, "interface": peer.interface,
                "peer": {"id": peer.id, "address": peer.address, "expires_at": peer.expires_at},
                "secrets": secrets_of(rt, peer)}
    facts = run_transaction(read)
    facts["config"] = backend(rt, facts.pop("interface")).client_config(facts.pop("secrets"))
    return facts
