"""Finding a NAT rule that masquerades WG_SUBNET in `iptables-save` or `nft list ruleset` output (pure)."""
import ipaddress
import re
import shlex

_NFT_SADDR = re.compile(r"\bip6? saddr (!= )?(\{[^}]*\}|\S+)")
_NFT_OIF = re.compile(r'\boifname (!= )?"?([^"\s]+)"?')


def _covers(text: str, subnet) -> bool:
    """True when a source written in a rule includes the whole subnet."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    return network.version == subnet.version and subnet.subnet_of(network)


def iptables_rule(dump: str, subnet, wg_interface: str) -> str | None:
    """The first MASQUERADE/SNAT rule of the nat table whose source includes the subnet."""
    table = None
    for line in dump.splitlines():
        line = line.strip()
        if line.startswith("*"):
            table = line[1:]
            continue
        if table != "nat" or not line.startswith("-A "):
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            continue
        if "-j" not in words or words[words.index("-j") + 1:][:1] not in (["MASQUERADE"], ["SNAT"]):
            continue
        source, negated, out = None, False, None
        for i, word in enumerate(words[:-1]):
            if word in ("-s", "--source"):
                source, negated = words[i + 1], i > 0 and words[i - 1] == "!"
            if word in ("-o", "--out-interface") and not (i > 0 and words[i - 1] == "!"):
                out = words[i + 1]
        if out == wg_interface or negated:
            continue
        if source is None or _covers(source, subnet):
            return line
    return None


def nft_rule(ruleset: str, subnet, wg_interface: str) -> str | None:
    """The first nft rule with a masquerade or snat statement whose source includes the subnet."""
    for line in ruleset.splitlines():
        line = line.strip()
        if not re.search(r"\b(masquerade|snat)\b", line) or line.startswith(("type ", "#")):
            continue
        out = _NFT_OIF.search(line)
        if out and not out.group(1) and out.group(2) == wg_interface:
            continue
        source = _NFT_SADDR.search(line)
        if source is None:
            return line
        if source.group(1):  # "ip saddr != …": everything but that
            continue
        if any(_covers(part, subnet) for part in source.group(2).strip("{}").split(",")):
            return line
    return None
