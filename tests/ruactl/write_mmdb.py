#!/usr/bin/env python3
"""Writes a small MaxMind DB (MMDB, format 2.0) for the enrichment tests:
an IPv4 search tree of 24-bit records, the data section and the metadata,
as the MaxMind DB File Format Specification describes them. The networks
and their data are fixed below (GeoLite2-ASN and -Country keys).
Usage: write_mmdb.py FILE"""
import struct
import sys

# (network, prefix length, data)
NETWORKS = [
    ("192.0.2.0", 24, {"autonomous_system_number": 64496,
                       "autonomous_system_organization": "Example\x1b[31m Net",
                       "country": {"iso_code": "NL"}}),
    ("198.51.100.0", 25, {"autonomous_system_number": 64511,
                          "autonomous_system_organization": "Documentation Ltd",
                          "country": {"iso_code": "de"}}),
]


def control(type_number, size):
    """The control byte(s) of a field: type in the top 3 bits (extended
    types: 0 there and type - 7 in the next byte), then the size."""
    if size < 29:
        first, extra = size, b""
    elif size < 29 + 256:
        first, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, extra = 30, struct.pack(">H", size - 285)
    else:
        first, extra = 31, struct.pack(">I", size - 65821)[1:]
    if type_number <= 7:
        return bytes([(type_number << 5) | first]) + extra
    return bytes([first, type_number - 7]) + extra


def encode(value, kind=None):
    if isinstance(value, dict):
        out = control(7, len(value))
        for key, item in value.items():
            out += encode(key)
            out += encode(item, "uint16" if key.endswith("_version") or key == "record_size"
                          else "uint64" if key == "build_epoch" else None)
        return out
    if isinstance(value, list):
        return control(11, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return control(2, len(data)) + data
    if isinstance(value, int):
        number = {"uint16": 5, "uint64": 9}.get(kind, 6)
        data = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
        return control(number, len(data)) + data
    raise TypeError(value)


def main():
    # The tree: nodes of two records, each None (no data), ("node", i) or
    # ("data", offset into the data section).
    nodes = [[None, None]]
    data = b""
    for network, length, fields in NETWORKS:
        offset = len(data)
        data += encode(fields)
        bits = int.from_bytes(bytes(int(p) for p in network.split(".")), "big")
        node = 0
        for depth in range(length):
            bit = (bits >> (31 - depth)) & 1
            if depth == length - 1:
                nodes[node][bit] = ("data", offset)
            else:
                if nodes[node][bit] is None:
                    nodes.append([None, None])
                    nodes[node][bit] = ("node", len(nodes) - 1)
                node = nodes[node][bit][1]
    count = len(nodes)

    def record(value):
        if value is None:
            number = count
        elif value[0] == "node":
            number = value[1]
        else:
            number = count + 16 + value[1]
        return number.to_bytes(3, "big")

    tree = b"".join(record(left) + record(right) for left, right in nodes)
    metadata = {
        "node_count": count,
        "record_size": 24,
        "ip_version": 4,
        "database_type": "rua-test-ASN-Country",
        "languages": ["en"],
        "binary_format_major_version": 2,
        "binary_format_minor_version": 0,
        "build_epoch": 1700000000,
        "description": {"en": "rua-milter test data"},
    }
    with open(sys.argv[1], "wb") as out:
        out.write(tree + bytes(16) + data + b"\xab\xcd\xefMaxMind.com" + encode(metadata))


main()
