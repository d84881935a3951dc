"""The Merkle tree is RFC 6962's: same root as its recursive definition, and every audit path
leads back to the root while a wrong leaf or index does not."""

from __future__ import annotations

import hashlib

from consent_gateway.consent import merkle


def reference_root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def test_roots_and_audit_paths_for_every_size_up_to_33():
    for size in range(1, 34):
        leaves = [merkle.leaf_hash(str(i).encode()) for i in range(size)]
        root = merkle.root(leaves)
        assert root == reference_root(leaves), size
        for index in range(size):
            path = merkle.audit_path(index, leaves)
            assert merkle.root_from_path(index, size, leaves[index], path) == root, (size, index)
            wrong = merkle.leaf_hash(b"forged")
            assert merkle.root_from_path(index, size, wrong, path) != root
            if size > 1:
                assert merkle.root_from_path((index + 1) % size, size, leaves[index], path) != root


def test_the_empty_tree():
    assert merkle.root([]) == hashlib.sha256(b"").digest()
