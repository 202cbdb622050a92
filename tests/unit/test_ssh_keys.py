"""A customer's SSH public key: what the shop accepts for a VPS and what it refuses as ssh_key_invalid."""
import base64
import struct
from functools import cache

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from lib.errors import UserError
from lib.vps.ssh_keys import MAX_LENGTH, checked_ssh_key, looks_like_ssh_key


@cache
def openssh(kind: str) -> str:
    """`type base64-blob` of a freshly made key, as `ssh-keygen -y` would print it (no comment)."""
    private = {"ed25519": lambda: ed25519.Ed25519PrivateKey.generate(),
               "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
               "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
               "p384": lambda: ec.generate_private_key(ec.SECP384R1()),
               "p521": lambda: ec.generate_private_key(ec.SECP521R1())}[kind]()
    return private.public_key().public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH).decode()


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def blob_naming(key_type: str) -> str:
    """A base64 blob shaped as OpenSSH's are: its own type, then the key (here 32 bytes, as ed25519's)."""
    return base64.b64encode(ssh_string(key_type.encode()) + ssh_string(b"\x01" * 32)).decode()


def refused(text):
    with pytest.raises(UserError) as error:
        checked_ssh_key(text)
    assert error.value.code == "ssh_key_invalid" and error.value.text_key == "ssh_key_invalid"


@pytest.mark.parametrize("kind, key_type", [("ed25519", "ssh-ed25519"), ("rsa", "ssh-rsa"),
                                            ("p256", "ecdsa-sha2-nistp256"), ("p384", "ecdsa-sha2-nistp384"),
                                            ("p521", "ecdsa-sha2-nistp521")])
@pytest.mark.parametrize("comment", ["", " ann@laptop", " Ann's work laptop (2024)"])
def test_real_keys_are_accepted_as_pasted(kind, key_type, comment):
    line = openssh(kind) + comment
    assert line.startswith(key_type + " ")
    assert checked_ssh_key(line) == line


def test_a_key_pasted_across_lines_or_with_tabs_is_stored_on_one_line():
    key_type, blob = openssh("ed25519").split(" ")
    assert checked_ssh_key(f"\n  {key_type}\n{blob}\t\tann@laptop \r\n") == f"{key_type} {blob} ann@laptop"


@pytest.mark.parametrize("text", [None, "", "   ", "hello", "ssh-ed25519", "ssh-ed25519 ", "AAAAC3NzaC1lZDI1NTE5"])
def test_something_that_is_no_key_at_all_is_refused(text):
    refused(text)


@pytest.mark.parametrize("key_type", ["ssh-foo", "ssh-ed448", "x509v3-ssh-rsa", "SSH-ED25519"])
def test_a_type_ssh_does_not_take_here_is_refused(key_type):
    refused(f"{key_type} {blob_naming(key_type)} ann@laptop")


@pytest.mark.parametrize("key_type", ["sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"])
def test_security_key_backed_keys_are_refused(key_type):
    refused(f"{key_type} {blob_naming(key_type)} ann@yubikey")


@pytest.mark.parametrize("declared, actual", [("ssh-rsa", "ed25519"), ("ssh-ed25519", "rsa"),
                                              ("ecdsa-sha2-nistp256", "p384"), ("ssh-dss", "ed25519")])
def test_a_blob_of_another_type_than_declared_is_refused(declared, actual):
    refused(f"{declared} {openssh(actual).split(' ')[1]}")


def test_a_blob_that_names_no_type_is_refused():
    refused("ssh-ed25519 " + base64.b64encode(b"\x00\x00").decode())  # shorter than its length prefix
    refused("ssh-ed25519 " + base64.b64encode(b"\x00\x00\x00\x0bssh-ed\xff5519").decode())  # not ASCII


@pytest.mark.parametrize("mangle", [lambda b: b[:-1], lambda b: b[:-2] + "!" + b[-1:], lambda b: b[:10] + "=" + b[10:],
                                    lambda b: b[:21] + "\n" + b[21:]])
def test_bad_base64_is_refused(mangle):
    key_type, blob = openssh("ed25519").split(" ")
    refused(f"{key_type} {mangle(blob)}")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f"])
def test_control_characters_in_the_comment_are_refused(char):
    refused(f"{openssh('ed25519')} ann{char}laptop")



@pytest.mark.parametrize("char", ["\x9b", "\x90"])  # CSI and DCS: terminal escapes in 8-bit form
def test_c1_control_characters_in_the_comment_are_refused(char):
    refused(f"{openssh('ed25519')} ann{char}laptop")



@pytest.mark.parametrize("width", [40, 64, 76])  # a key wrapped by a narrow terminal, an e-mail, a PDF
def test_a_blob_wrapped_across_lines_is_never_stored_cut(width):
    key = openssh("ed25519") + " ann@laptop"
    wrapped = "\n".join(key[start:start + width] for start in range(0, len(key), width))
    try:
        stored = checked_ssh_key(wrapped)
    except UserError:
        return  # refusing it is fine: the customer pastes it again
    assert stored == key, "the VM would get a key nobody can log in with"


def padded_key(total_length: int) -> str:
    """A well-formed ssh-rsa line (e=65537, a 22872-bit modulus) whose comment makes it `total_length` long."""
    modulus = b"\x00" + b"\xc5" * 2858 + b"\x01"
    blob = ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(modulus)
    line = f"ssh-rsa {base64.b64encode(blob).decode()} "
    return line + "c" * (total_length - len(line))


def test_a_key_over_4000_characters_is_refused_and_one_of_4000_is_not():
    assert MAX_LENGTH == 4000
    assert checked_ssh_key(padded_key(4000)) == padded_key(4000)
    refused(padded_key(4001))


@pytest.mark.parametrize("text, meant", [("ssh-rsa garbage", True), ("  ecdsa-sha2-nistp256\nAAAA", True),
                                         ("hello there", False), ("sk-ssh-ed25519@openssh.com AAAA", False),
                                         (None, False)])
def test_a_message_starting_with_a_key_type_is_taken_as_meant_to_be_a_key(text, meant):
    assert looks_like_ssh_key(text) is meant
