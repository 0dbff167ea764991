#!/usr/bin/python3
"""Writes the seed corpora of the call-site harnesses (fuzz_dclocate,
fuzz_cldap_loop, fuzz_store_dir, fuzz_fetch: their input formats are in
their comments) from the inner parsers' seeds: tests/fuzz/corpus/{srv,
cldap,state,pending,store_hooks,cert,http}/. Usage: gen_callsite_corpus.py [tests/fuzz/corpus]"""
import os
import re
import struct
import sys

SHA1 = re.compile(r'^[0-9a-f]{40}$')


def read(base, sub, name):
    with open(os.path.join(base, sub, name), 'rb') as f:
        return f.read()


def write(base, sub, name, data):
    os.makedirs(os.path.join(base, sub), exist_ok=True)
    with open(os.path.join(base, sub, name), 'wb') as f:
        f.write(data)


def dclocate(base):
    """srv seeds are [buffer size][reported][answer]: here the answer as the
    resolver would report it (its full length), asked again when large."""
    for name in sorted(os.listdir(os.path.join(base, 'srv'))):
        if SHA1.match(name):
            continue
        d = read(base, 'srv', name)
        if len(d) < 4:
            continue
        answer = d[4:]
        if d[2:4] == b'\xff\xff':
            seed = b'\xff\xff'
        elif len(answer) > 4096:
            seed = struct.pack('>H', len(answer)) + answer + answer
        else:
            seed = struct.pack('>H', len(answer)) + answer
        write(base, 'dclocate', name, seed)
    write(base, 'dclocate', 'no_reply_twice', b'\xff\xff')


def dgrams(*ds):
    return b''.join(struct.pack('>H', len(d)) + d for d in ds)


def cldap_loop(base):
    ok = read(base, 'cldap', 'lab_reply')
    other = ok.replace(b'\x02\x02\x12\x67', b'\x02\x02\x12\x68')
    bad = read(base, 'cldap', 'reply_truncated')
    seeds = {
        'answer': b'\x00' + dgrams(ok),
        'malformed_then_answer': b'\x00' + dgrams(bad, ok),
        'other_message_then_answer': b'\x00' + dgrams(other, ok),
        'eintr_then_answer': b'\x02' + dgrams(ok),
        'done_only': b'\x00' + dgrams(read(base, 'cldap', 'reply_done_only')),
        'indefinite': b'\x00' + dgrams(read(base, 'cldap', 'reply_indefinite')),
        'netlogon_alone': b'\x00' + dgrams(read(base, 'cldap', 'lab_netlogon')),
        'refused': b'\x01',
        'timeout_then_retry_answer': b'\x00' + dgrams(bad, *([other] * 15), ok),
        'too_many_datagrams': b'\x00' + dgrams(*([bad] * 40)),
        'oversized_datagram': b'\x00' + dgrams(ok + b'\x00' * 8200),
    }
    for name, data in seeds.items():
        write(base, 'cldap_loop', name, data)


def entry(k, data):
    return bytes([k]) + struct.pack('>H', len(data)) + data


# names[] indices of fuzz_store_dir.c
T_STATE, T_CRT, T_KEY, T_CHAIN, T_KEY_NEW, T_CRT_NEW, T_CHAIN_NEW, T_STATE_NEW, T_HOOKS = range(9)
P_STATE, P_KEY = 12, 13
A_STATE, A_CRT, A_KEY = 14, 15, 16
TMP, U_KEY_NEW = 18, 21
SYMLINK, FIFO, DIRECTORY, MODE644 = 4 << 5, 5 << 5, 6 << 5, 7 << 5


def state(base, name, template='T'):
    d = read(base, 'state', name)
    return re.sub(rb'(?m)^template=.*$', b'template=' + template.encode(), d)


def store_dir(base):
    cert = read(base, 'cert', 'leaf_v2.pem')
    key = (b'-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n'
           b'-----END PRIVATE KEY-----\n')
    pend = read(base, 'pending', 'valid').replace(b'template=LabPending', b'template=T')
    seeds = {
        'issued': entry(T_STATE, state(base, 'valid-issued')) + entry(T_CRT, cert) +
        entry(T_KEY, key) + entry(T_CHAIN, cert),
        'pending_with_answer': entry(T_STATE, state(base, 'valid-pending')) +
        entry(T_KEY_NEW, key) + entry(T_CRT_NEW, cert) + entry(T_CHAIN_NEW, cert),
        'installing': entry(T_STATE, state(base, 'valid-installing')) + entry(T_CRT, cert) +
        entry(T_KEY, key) + entry(T_KEY_NEW, key) + entry(T_CRT_NEW, cert) +
        entry(T_STATE_NEW, state(base, 'valid-issued')),
        'archived': entry(T_STATE, state(base, 'valid-archived')) +
        entry(A_STATE, state(base, 'valid-issued')) + entry(A_CRT, cert) + entry(A_KEY, key),
        'legacy_pending_adopted': entry(P_STATE, pend) + entry(P_KEY, key),
        'corrupt_record': entry(T_STATE, state(base, 'invalid-unterminated')) +
        entry(T_CRT, cert) + entry(T_KEY, key),
        'crt_without_record': entry(T_CRT, cert) + entry(T_KEY, key),
        'hooks': entry(T_STATE, state(base, 'valid-issued')) + entry(T_CRT, cert) +
        entry(T_KEY, key) + entry(T_HOOKS, read(base, 'store_hooks', 'valid')),
        'stray_tmp': entry(TMP, b'x') + entry(U_KEY_NEW, key),
        'symlink_key': entry(T_STATE, state(base, 'valid-issued')) + entry(T_CRT, cert) +
        entry(SYMLINK | T_KEY, b''),
        'fifo_state': entry(FIFO | T_STATE, b'') + entry(T_CRT, cert),
        'directory_crt': entry(T_STATE, state(base, 'valid-issued')) +
        entry(DIRECTORY | T_CRT, b'') + entry(T_KEY, key),
        'world_readable_key': entry(T_STATE, state(base, 'valid-issued')) +
        entry(T_CRT, cert) + entry(MODE644 | T_KEY, key),
        'empty': b'',
    }
    for name, data in seeds.items():
        write(base, 'store_dir', name, data)


def fetch(base):
    """http seeds are a server's answer: here in segments of some size,
    with EAGAIN between them or not, for each max_len."""
    for name in sorted(os.listdir(os.path.join(base, 'http'))):
        if name.startswith('url_'):
            continue
        d = read(base, 'http', name)
        stem = name.rsplit('.', 1)[0]
        write(base, 'fetch', stem + '_whole', bytes([0, 2 << 1]) + d)
        write(base, 'fetch', stem + '_7_byte_segments_eagain', bytes([7, 1 | (1 << 1)]) + d)
    ok = read(base, 'http', 'ok_length.txt')
    head = ok.split(b'\r\n\r\n')[0].replace(b'Content-Length', b'X-Length')
    write(base, 'fetch', 'body_above_max_len', bytes([0, 0]) + head + b'\r\n\r\n' + b'A' * 200)
    write(base, 'fetch', 'headers_above_cap', bytes([0, 0]) + b'HTTP/1.0 200 OK\r\n' +
          b'X: ' + b'y' * 20000 + b'\r\n\r\n')
    write(base, 'fetch', 'closed_at_once', bytes([0, 0]))


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus')
    dclocate(base)
    cldap_loop(base)
    store_dir(base)
    fetch(base)


if __name__ == '__main__':
    main()
