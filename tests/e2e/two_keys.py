# A PKCS#12 holding two keys (RSA "alice", P-256 "bob") issued by one CA,
# for the end-to-end test of choosing a key on import: Python `cryptography`
# writes one PKCS#12 per key, `asn1crypto` joins them under one HMAC-SHA256
# MAC (the same construction as tests/pkcs12_interop.rs). Prints each leaf's
# name and SHA-256 / SHA-1 fingerprints.
# Usage: python3 two_keys.py OUT_DIR PASSWORD
import sys, hashlib, hmac, os, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec
from cryptography.hazmat.primitives.serialization import pkcs12
from asn1crypto import pkcs12 as a12, cms as acms, core

out_dir, password = sys.argv[1], sys.argv[2].encode()
now = datetime.datetime.now(datetime.timezone.utc)

def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Two Keys Lab"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])

def cert(subject, key, issuer, issuer_key, ca, serial):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
    return b.sign(issuer_key, hashes.SHA256())

ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ca = cert(name("Two Keys CA"), ca_key, name("Two Keys CA"), ca_key, True, 1)
alice_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
alice = cert(name("Alice"), alice_key, ca.subject, ca_key, False, 2)
bob_key = ec.generate_private_key(ec.SECP256R1())
bob = cert(name("Bob"), bob_key, ca.subject, ca_key, False, 3)

enc = serialization.BestAvailableEncryption(password)
parts = [
    pkcs12.serialize_key_and_certificates(None, None, None, [ca], enc),
    pkcs12.serialize_key_and_certificates(b"alice", alice_key, alice, None, enc),
    pkcs12.serialize_key_and_certificates(b"bob", bob_key, bob, None, enc),
]
infos = []
for der in parts:
    pfx = a12.Pfx.load(der)
    infos.extend(pfx.authenticated_safe)
auth_safe = a12.AuthenticatedSafe(infos).dump(force=True)

def kdf(pw, salt, ident, iterations, n, h=hashlib.sha256, u=32, v=64):
    def stretch(b):
        return (b * (v * ((len(b) + v - 1) // v) // max(len(b), 1) + 1))[: v * ((len(b) + v - 1) // v)] if b else b""
    D = bytes([ident]) * v
    I = stretch(salt) + stretch(pw)
    out = b""
    while len(out) < n:
        A = h(D + I).digest()
        for _ in range(iterations - 1):
            A = h(A).digest()
        out += A
        B = int.from_bytes((A * (v // u + 1))[:v], "big")
        I = b"".join(((int.from_bytes(I[j:j + v], "big") + B + 1) % (1 << (8 * v))).to_bytes(v, "big")
                     for j in range(0, len(I), v))
    return out[:n]

salt = os.urandom(16)
iterations = 2048
bmp = password.decode().encode("utf-16-be") + b"\x00\x00"
mac_key = kdf(bmp, salt, 3, iterations, 32)
digest = hmac.new(mac_key, auth_safe, hashlib.sha256).digest()
pfx = a12.Pfx({
    "version": 3,
    "auth_safe": {"content_type": "data", "content": core.OctetString(auth_safe)},
    "mac_data": {
        "mac": {"digest_algorithm": {"algorithm": "sha256"}, "digest": digest},
        "mac_salt": salt,
        "iterations": iterations,
    },
})
open(os.path.join(out_dir, "two-keys.p12"), "wb").write(pfx.dump(force=True))
for n, c in (("two-ca.pem", ca), ("alice.pem", alice), ("bob.pem", bob)):
    open(os.path.join(out_dir, n), "wb").write(c.public_bytes(serialization.Encoding.PEM))
for n, c in (("alice", alice), ("bob", bob)):
    print(n, c.fingerprint(hashes.SHA256()).hex(), c.fingerprint(hashes.SHA1()).hex())
