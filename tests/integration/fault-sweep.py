#!/usr/bin/env python3
"""Fault sweep (issue 11, deliverable 2; doc/security.md "Faults").

Runs under tests/with-card with empty readers ('-'): it plugs in its own
simulators (cardsim --control, one per worker and reader) and reuses them
for every run, so pcscd does not have to notice a new card between runs.

Scenarios, on each personality given: (a) personalisation from a blank card
to a stored certificate (pkcs15-init --create-pkcs15, --store-pin, on
StarCOS SPK 2.x --finalize, --generate-key, --store-certificate), (b)
use (pkcs15-crypt --sign and --decipher, each with its PIN), on the
original ACOS5 and SPK 2.x key import (pkcs15-init --store-private-key),
(c) the user
PIN (pkcs15-tool --change-pin, --unblock-pin of the PIN as it is and of
the PIN blocked by wrong PINs) and (d) pkcs15-init --erase-card. For each
step and every APDU position N of it, the step runs again from the card as
it was before the step, with a fault at its Nth APDU: the card is removed, reset or mute there, and the
command is not executed, half executed (EEPROM pages) or executed; kinds
and commit points cycle over the positions, and cardsim --fault-states also
keeps the card as each of the three commit points leaves it. Then:

  - the command fails and says the card was removed or reset (or it
    succeeded, and the card is then as after a fault-free run);
  - for every distinct card state the fault leaves (before, half, after):
    pkcs15-tool -D works and lists exactly the objects the card had before
    the step or exactly those after it (nothing half there); running the
    same command again completes (or the recovery command that its error
    names does; a key import that left its private key listed alone, which
    must sign, is completed with --store-public-key); and then the card is the fault-free card: the same files
    with the same sizes and life cycle states (no unlisted file, no lost
    free space) and the same listing; a signature verifies, a decipherment
    gives the plaintext, the imported key signs (verified with its public
    part);
  - (c): exactly one of the old and new PIN verifies (or the blocked PIN
    is still blocked), with all its tries (and the PUK with all its);
    the command run again with the PIN that is current completes; then
    the new PIN signs and the card is the fault-free card;
  - (d): pkcs15-tool -D lists the card's objects or finds no PKCS#15
    application; --erase-card run again completes and leaves the card
    of the fault-free erase, from which --create-pkcs15 makes the card of
    a fault-free personalisation.

usage: fault-sweep.py WORKDIR PERSONALITY[,PERSONALITY...] [--stride K]
Exit status 0 when every check passed.
"""
import difflib
import hashlib
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time

SIM = os.environ['WITH_CARD_SIM']
WAITER = os.environ['WITH_CARD_WAITER']
PIN_INFO = os.path.join(os.path.dirname(WAITER), 'p15-pin-info')
PORTS = os.environ['WITH_CARD_PORTS'].split()

SO, PUK, PIN, KID, IMP = '87654321', '12345678', '12345678', '45', '46'
PIN2, WRONG = '11223344', '99999999'
LOST = re.compile(r'Card (was )?(removed|reset)', re.I)
# sc_read_binary of OpenSC 0.23 reports any failed read so (doc/security.md)
LOST_LAST = re.compile(LOST.pattern + r'|EF offset too large', re.I)
# the plug-in's line on stderr when a card is lost mid-command: once a process
NOTICE = 'pkicards: the card was '
RECOVERY = ['pkcs15-init', '--erase-card', '--so-pin', SO]
KINDS = ('remove', 'reset', 'mute')
WHENS = ('after', 'before', 'half')


def reader_name(i):
    return 'pkicards vpcd %d 00 %02d' % (i // 2, i % 2)


class Card:
    """One cardsim under control in reader i"""

    def __init__(self, i, pers, work):
        self.i, self.pers = i, pers
        self.blank = os.path.join(work, 'blank-%s-%d.state' % (pers, i))
        if os.path.exists(self.blank):
            os.unlink(self.blank)
        self.err = open(os.path.join(work, 'cardsim-%d.log' % i), 'a')
        self.p = subprocess.Popen([SIM, '--card', pers, '--port', PORTS[i], '--state', self.blank,
                                   '--control', '--fault-gap', '0'],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, text=True, bufsize=1)
        self.cmd('ping')  # started: the blank state file is written
        self.faulted = True
        self.wait_present()

    def cmd(self, line):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()
        reply = self.p.stdout.readline().strip()
        if not reply.startswith('ok'):
            raise RuntimeError('cardsim %s: %s' % (line, reply or 'no answer'))
        return reply[3:]

    def wait_present(self):
        """pcscd shows the card (after a start or a fault: pcscd polls the
        reader every 0.4 s)"""
        if not self.faulted:
            return
        if subprocess.call([WAITER, reader_name(self.i), '1', '10000']) != 0:
            raise RuntimeError('card %d did not come up' % self.i)
        self.faulted = False

    def load(self, state, fault=None, states=None):
        """The card from a copy of a state file, a fault armed"""
        self.wait_present()
        self.cmd('fault none')
        self.cmd('states ' + (states or 'none'))
        self.cmd('state ' + state)
        if fault:
            self.cmd('fault ' + fault)

    def count(self):
        return int(self.cmd('count'))

    def attached(self):
        """After a fault: until vpcd talks to the card on its new link"""
        self.cmd('attached')
        self.faulted = True

    def close(self):
        self.p.stdin.close()
        self.p.wait()
        self.err.close()
        # out of the reader, so that the next card's arrival can be seen
        subprocess.call([WAITER, reader_name(self.i), '0', '10000'])


# Either name for a lost answer is right here: the driver need not watch
# the reader for 0.4 s to tell a removal from a reset (driver/pk-guard.c)
ENV = dict(os.environ, PKICARDS_GUARD_WAIT_MS='0')


def fresh_cache(path, src=None):
    """A file cache directory (XDG_CACHE_HOME: OpenSC's and the ACOS5
    driver's persisted caches) as a copy of src, or empty"""
    shutil.rmtree(path, ignore_errors=True)
    if src and os.path.isdir(src):
        shutil.copytree(src, path)
    else:
        os.makedirs(path)
    return path


def run(card, args, cwd, cache):
    """A command on the card's reader with the file cache directory cache:
    (status, output). Each run is given the cache that the run before it
    on this card left, as on one machine; the sweep copies them so that a
    fault run starts from exactly the cache of the fault-free run, and
    sends the same APDUs."""
    env = dict(ENV, XDG_CACHE_HOME=cache)
    p = subprocess.run(args[:1] + ['--reader', reader_name(card.i)] + args[1:], cwd=cwd, env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    return p.returncode, p.stdout


# ---- what is compared ---------------------------------------------------------

def tree(state_path):
    """Files with their attributes but not their contents, records present,
    key record headers, PINs without values, serial: what decides which
    files exist and how much memory they take"""
    out = []
    for line in open(state_path):
        f = line.split()
        if not f or f[0].startswith('#') or f[0] in ('checksum', 'cardsim-image'):
            continue
        if f[0] in ('DF', 'EF'):
            attrs = [a for a in f[2:] if a.split('=')[0] not in ('data', 'rec')]
            recs = [a[4:] for a in f[2:] if a.startswith('rec=')]
            if recs:
                attrs.append('records=%d' % len([r for r in recs[0].split(',') if r and r != '-']))
            out.append(' '.join(f[:2] + attrs))
        elif f[0] == 'KEY':
            out.append(' '.join(a for a in f if not a.startswith('data=')))
        elif f[0] == 'PIN':
            out.append(' '.join(a for a in f if a.split('=')[0] not in ('value', 'puk')))
        else:
            out.append(line.strip())
    return out


def tree_diff(a, b):
    sa, sb = set(a), set(b)
    return ['- ' + l for l in a if l not in sb] + ['+ ' + l for l in b if l not in sa]


VOLATILE = re.compile(r'^\s*(Last update|MD:guid)\s*:')


def listing(text):
    """pkcs15-tool -D output without what differs between two fault-free
    runs (key GUIDs, timestamps)"""
    return '\n'.join(l for l in text.splitlines()
                     if not VOLATILE.match(l) and not l.startswith('Using reader'))


def without_blocks(text, head, oid=None):
    """A listing without its blocks whose first line starts with head (and
    that list the ID oid)"""
    blocks = []
    for l in text.split('\n'):
        if not blocks or (l and not l[0].isspace()):
            blocks.append([])
        blocks[-1].append(l)
    return '\n'.join(l for b in blocks
                     if not (b[0].startswith(head) and
                             (oid is None or any(re.match(r'\s*ID\s*: %s$' % oid, l) for l in b)))
                     for l in b)


def isf_counters(path):
    """StarCOS PINs and PUKs in a card state file: (key ID, attribute
    (81 PIN, 02 PUK), (max << 4) | tries left), from the ISF record
    headers (tests/sim/starcos.h)"""
    out = []
    for line in open(path):
        m = re.match(r'KEY \S+ kid=([0-9A-F]{2}) hdr=([0-9A-F]{24})', line)
        if m:
            hdr = bytes.fromhex(m.group(2))
            if hdr[11] in (0x81, 0x02):
                out.append((int(m.group(1), 16), hdr[11], hdr[6]))
    return out


def state_hash(path):
    with open(path) as f:
        body = ''.join(l for l in f if not l.startswith('checksum '))
    return hashlib.sha256(body.encode()).hexdigest()


# ---- one personality ----------------------------------------------------------------

class Sweep:
    def __init__(self, work, pers, stride):
        self.pers, self.stride = pers, stride
        self.d = os.path.join(work, pers)
        os.makedirs(self.d, exist_ok=True)
        self.failures = 0
        self.lock = threading.Lock()
        self.checked = {}
        self.runs = 0
        d = self.d
        self.steps = [
            ('create-pkcs15', ['pkcs15-init', '--create-pkcs15', '--so-pin', SO, '--so-puk', PUK,
                               '--label', 'pkicards user']),
            ('store-pin', ['pkcs15-init', '--store-pin', '--auth-id', '01', '--label', 'User PIN',
                           '--pin', PIN, '--puk', PUK, '--so-pin', SO]),
            # StarCOS SPK 2.x: from here on the card enforces its access
            # conditions (CREATE END), as an issued card does
            ('finalize', ['pkcs15-init', '--finalize']),
            # the ACOS5-64 V3 leaves the factory in FIPS mode: 2048 or 3072 bits
            ('generate-key', ['pkcs15-init', '--generate-key',
                              'rsa/2048' if pers == 'acos5-64v3' else 'rsa/1024', '--auth-id', '01',
                              '--id', KID, '--label', 'pkicards user key', '--key-usage',
                              'sign,decrypt', '--pin', PIN, '--so-pin', SO]),
            ('store-certificate', ['pkcs15-init', '--store-certificate',
                                   os.path.join(d, 'cert.pem'), '--id', KID, '--label',
                                   'pkicards user', '--pin', PIN, '--so-pin', SO]),
            ('sign', ['pkcs15-crypt', '--sign', '--key', KID, '--pin', PIN, '--sha-256',
                      '--pkcs1', '-i', os.path.join(d, 'hash'), '-o', 'out.sig']),
            ('decipher', ['pkcs15-crypt', '--decipher', '--key', KID, '--pin', PIN, '--pkcs1',
                          '-i', os.path.join(d, 'enc'), '-o', 'out.dec']),
            # the original ACOS5 and StarCOS SPK 2.x import keys (ACOS5-64: refused)
            ('import-key', ['pkcs15-init', '--store-private-key', os.path.join(d, 'imp.pem'),
                            '--auth-id', '01', '--id', IMP, '--key-usage', 'sign,decrypt',
                            '--pin', PIN, '--so-pin', SO]),
            ('change-pin', ['pkcs15-tool', '--change-pin', '--auth-id', '01', '--pin', PIN,
                            '--new-pin', PIN2]),
            ('unblock-pin', ['pkcs15-tool', '--unblock-pin', '--auth-id', '01', '--puk', PUK,
                             '--new-pin', PIN]),
            # wrong PINs until the card blocks it; no faults swept
            ('block-pin', None),
            ('unblock-blocked-pin', ['pkcs15-tool', '--unblock-pin', '--auth-id', '01', '--puk',
                                     PUK, '--new-pin', PIN2]),
            ('erase-card', RECOVERY),
        ]
        # the PIN steps: the user PIN before and after
        self.pins = {'change-pin': (PIN, PIN2), 'unblock-pin': (PIN2, PIN),
                     'unblock-blocked-pin': (PIN, PIN2)}
        if not pers.startswith('starcos-spk'):
            self.steps = [st for st in self.steps if st[0] != 'finalize']
        if pers != 'acos5' and not pers.startswith('starcos-spk'):
            self.steps = [st for st in self.steps if st[0] != 'import-key']

    def fail(self, what):
        with self.lock:
            self.failures += 1
        lines = what.splitlines()
        print('not ok - %s: %s' % (self.pers, lines[0]), flush=True)
        for l in lines[1:25]:
            print('    ' + l, flush=True)

    def ref(self, k):
        return os.path.join(self.d, 'ref%d.state' % k)

    def ref_cache(self, k):
        """The file cache as the fault-free step k left it"""
        return os.path.join(self.d, 'ref%d.cache' % k)

    def reference(self, card):
        """The fault-free run: the card before and after every step, each
        step's APDU count and the listing after it"""
        d = self.d
        shutil.copy(card.blank, self.ref(0))
        fresh_cache(self.ref_cache(0))
        scratch = os.path.join(d, 'scratch.cache')
        self.counts, self.lists, self.trees = [None], [None], [tree(self.ref(0))]
        for k, (name, args) in enumerate(self.steps, 1):
            shutil.copy(self.ref(k - 1), self.ref(k))
            card.load(self.ref(k))
            cache = fresh_cache(self.ref_cache(k), self.ref_cache(k - 1))
            if args is None:
                rc, out, n = self.block(card, self.ref(k), d, cache), '', 0
            else:
                rc, out = run(card, args, d, cache)
                n = card.count()
            if rc != 0:
                raise RuntimeError('%s: fault-free %s failed:\n%s' % (self.pers, name, out))
            if not self.outcome_ok(k, d, card, self.ref(k), fresh_cache(scratch, cache)):
                raise RuntimeError('%s: fault-free %s: wrong result' % (self.pers, name))
            self.counts.append(n)
            card.load(self.ref(k))
            rc, out = run(card, ['pkcs15-tool', '-D'], d, fresh_cache(scratch, self.ref_cache(k)))
            if rc != 0 and not (name == 'erase-card' and 'binding failed' in out):
                raise RuntimeError('%s: listing after %s failed:\n%s' % (self.pers, name, out))
            self.lists.append(listing(out))
            self.trees.append(tree(self.ref(k)))
            # a fault that leaves the card as before or after the step
            # needs no more checks than the fault-free run made (the PIN
            # and erase checks it does not make: the first fault run does)
            if name not in self.pins and name != 'erase-card':
                self.checked[(k, state_hash(self.ref(k - 1)))] = 'fault-free'
                if args and args[0] == 'pkcs15-init':
                    self.checked[(k, state_hash(self.ref(k)))] = 'fault-free'
            if name == 'generate-key':
                self.make_inputs(card, fresh_cache(scratch, self.ref_cache(k)))
        print('# %s: fault-free run: %s APDUs' % (
            self.pers, ', '.join('%s %d' % (s[0], c) for s, c in zip(self.steps, self.counts[1:])
                                 if s[1])), flush=True)

    def make_inputs(self, card, cache):
        d = self.d
        rc, out = run(card, ['pkcs15-tool', '--read-public-key', KID, '-o', 'pub.pem'], d, cache)
        if rc != 0:
            raise RuntimeError('%s: cannot read the public key:\n%s' % (self.pers, out))

        def sh(*a):
            subprocess.run(a, cwd=d, check=True, capture_output=True)
        sh('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out',
           'ca.pem', '-days', '30', '-subj', '/CN=sweep CA')
        sh('openssl', 'req', '-new', '-key', 'ca.key', '-subj', '/CN=pkicards user', '-out', 'u.csr')
        sh('openssl', 'x509', '-req', '-in', 'u.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
           '-CAcreateserial', '-force_pubkey', 'pub.pem', '-days', '30', '-out', 'cert.pem')
        with open(os.path.join(d, 'data'), 'w') as f:
            f.write('to be signed and enciphered\n')
        sh('openssl', 'dgst', '-sha256', '-binary', '-out', 'hash', 'data')
        sh('openssl', 'pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'data',
           '-out', 'enc')
        sh('openssl', 'genrsa', '-out', 'imp.pem', '1024')
        sh('openssl', 'rsa', '-in', 'imp.pem', '-pubout', '-out', 'imp.pub')

    def verifies(self, sig, pub):
        return subprocess.call(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey',
                                os.path.join(self.d, pub), '-sigfile', sig, '-in',
                                os.path.join(self.d, 'hash'), '-pkeyopt', 'digest:sha256'],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0

    def outcome_ok(self, k, cwd, card=None, state=None, cache=None):
        """The use steps' results (signature, plaintext) in cwd; after a
        key import, the imported key on the card state signs, verified
        against the public part of the key file"""
        name = self.steps[k - 1][0]
        if name == 'sign':
            return self.verifies(os.path.join(cwd, 'out.sig'), 'pub.pem')
        if name == 'import-key':
            sign = [s[1] for s in self.steps if s[0] == 'sign'][0]
            sign = sign[:sign.index('--key') + 1] + [IMP] + sign[sign.index('--key') + 2:]
            sign[-1] = 'imp.sig'
            card.load(state)
            return run(card, sign, cwd, cache)[0] == 0 and \
                self.verifies(os.path.join(cwd, 'imp.sig'), 'imp.pub')
        if name == 'decipher':
            try:
                return open(os.path.join(cwd, 'out.dec'), 'rb').read() == \
                    open(os.path.join(self.d, 'data'), 'rb').read()
            except OSError:
                return False
        return True

    def differs(self, card, j, c, cwd, cache, listed=True):
        """How the card state c differs from the fault-free card after
        step j: its file tree, and its listing; '' when it does not"""
        diff = tree_diff(self.trees[j], tree(c))
        if diff:
            return 'the card differs from the fault-free card:\n' + '\n'.join(diff)
        if listed:
            card.load(c)
            rc, out = run(card, ['pkcs15-tool', '-D'], cwd, cache)
            if listing(out) != self.lists[j]:
                return 'the listing differs from the fault-free one:\n' + '\n'.join(
                    difflib.unified_diff(self.lists[j].split('\n'), listing(out).split('\n'),
                                         'fault-free', 'this card', lineterm='', n=1))
        return ''

    # ---- the user PIN ----

    def tries(self, card, state, cwd, cache):
        """(tries left, max) of the user PIN, as PKCS#11 asks the card;
        from the card's memory where it gives no PIN status (SPK 2.x)"""
        card.load(state)
        p = subprocess.run([PIN_INFO, '01', reader_name(card.i)], cwd=cwd,
                           env=dict(ENV, XDG_CACHE_HOME=cache), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=120)
        m = re.match(r'tries (-?\d+) max (\d+)', p.stdout)
        if m:
            return int(m.group(1)), int(m.group(2))
        local = [c for kid, attr, c in isf_counters(state) if kid & 0x80 and attr == 0x81]
        if 'gives no PIN status' not in p.stderr or len(local) != 1:
            raise RuntimeError('p15-pin-info: %s' % (p.stdout + p.stderr).strip())
        return local[0] & 0x0F, local[0] >> 4

    def verify(self, card, state, pin, cwd, cache):
        card.load(state)
        return run(card, ['pkcs15-tool', '--verify-pin', '--auth-id', '01', '--pin', pin], cwd,
                   cache)[0] == 0

    def block(self, card, state, cwd, cache):
        """Wrong PINs until the card blocks the user PIN; 0 when it did"""
        for _ in range(16):
            if self.tries(card, state, cwd, cache)[0] == 0:
                return 0
            self.verify(card, state, WRONG, cwd, cache)
        return 1

    def current_pin(self, card, k, c, cwd, cache):
        """Which of the step's old and new PIN verifies (None: the PIN
        is still blocked, as before the step), checked so that it costs no
        try: the new one first, then the old one, each wrong try followed by
        the right PIN. Raises ValueError with what is wrong."""
        name = self.steps[k - 1][0]
        old, new = self.pins[name]
        t, m = self.tries(card, c, cwd, cache)
        if t == 0 and name == 'unblock-blocked-pin':
            if self.verify(card, c, new, cwd, cache) or self.tries(card, c, cwd, cache)[0] != 0:
                raise ValueError('the blocked PIN changed its counter or verifies with the new PIN')
            return None
        if t != m:
            raise ValueError('the PIN has %d of %d tries left after the fault' % (t, m))
        if any(attr == 0x02 and c & 0x0F != c >> 4 for kid, attr, c in isf_counters(c)):
            raise ValueError('the PUK lost tries')
        if self.verify(card, c, new, cwd, cache):
            cur, other = new, old
        elif self.verify(card, c, old, cwd, cache):
            cur, other = old, new
        else:
            raise ValueError('neither the old nor the new PIN verifies')
        if self.verify(card, c, other, cwd, cache):
            raise ValueError('both the old and the new PIN verify')
        if self.tries(card, c, cwd, cache)[0] != m - 1:
            raise ValueError('a wrong PIN did not cost exactly one try')
        if not self.verify(card, c, cur, cwd, cache) or self.tries(card, c, cwd, cache)[0] != m:
            raise ValueError('the PIN that verified does not any more, or its tries are not reset')
        return cur

    def check_pin_state(self, card, k, c, where, cache):
        """A card state a fault in a PIN change or unblock can leave:
        exactly one of the old and new PIN verifies (or the PIN is still
        blocked) with all its tries; the command run again with the PIN
        that is current completes; the new PIN signs"""
        name, args = self.steps[k - 1]
        jd = os.path.dirname(c)
        try:
            cur = self.current_pin(card, k, c, jd, cache)
        except ValueError as e:
            return self.fail('%s %s: %s' % (name, where, e))
        if name == 'change-pin':
            args = args[:args.index('--pin') + 1] + [cur] + args[args.index('--pin') + 2:]
        card.load(c)
        rc, out = run(card, args, jd, cache)
        if rc != 0:
            return self.fail('%s %s: run again (PIN %s) fails:\n%s' % (
                name, where, 'old' if cur == self.pins[name][0] else 'new', out))
        new = self.pins[name][1]
        ks = [s[0] for s in self.steps].index('sign') + 1
        sign = self.steps[ks - 1][1]
        sign = sign[:sign.index('--pin') + 1] + [new] + sign[sign.index('--pin') + 2:]
        card.load(c)
        rc, out = run(card, sign, jd, cache)
        if rc != 0 or not self.outcome_ok(ks, jd):
            return self.fail('%s %s: run again, then a signature with the new PIN fails:\n%s' % (
                name, where, out))
        t, m = self.tries(card, c, jd, cache)
        bad = self.differs(card, k, c, jd, cache, listed=False)
        if t != m or bad:
            return self.fail('%s %s: run again: %d of %d tries; %s' % (name, where, t, m, bad))

    def check_erase_state(self, card, k, c, where, cache):
        """A card state a fault in --erase-card can leave: it lists its
        objects or is blank or unfinished; --erase-card run again
        completes, and --create-pkcs15 after it makes the fault-free card"""
        name = self.steps[k - 1][0]
        jd = os.path.dirname(c)
        card.load(c)
        rc, out = run(card, ['pkcs15-tool', '-D'], jd, cache)
        if rc < 0 or (rc != 0 and 'binding failed' not in out):
            return self.fail('%s %s: pkcs15-tool -D fails after the fault:\n%s' % (name, where, out))
        for j, how in ((k, 'run again'), (1, 'run again, then --create-pkcs15')):
            card.load(c)
            rc, out = run(card, self.steps[j - 1][1], jd, cache)
            if rc != 0:
                return self.fail('%s %s: %s fails:\n%s' % (name, where, how, out))
            bad = self.differs(card, j, c, jd, cache, listed=j == 1)
            if bad:
                return self.fail('%s %s: %s: %s' % (name, where, how, bad))

    # ---- after a fault ----

    def key_alone(self, k):
        """After a key import: its private key listed without its public
        key (pkcs15-init stores the public key in a second step)"""
        return without_blocks(self.lists[k], 'Public RSA Key', IMP)

    def allowed(self, k):
        """What pkcs15-tool -D may show after a fault in step k: the card
        before or after the step; for a key generation also the key pair's
        public key alone (its private key entry is made visible last,
        pkcs15-emu/pk-p15df.c; the next --generate-key removes it)"""
        ok = [self.lists[k - 1], self.lists[k]]
        if self.steps[k - 1][0] == 'generate-key':
            ok.append(without_blocks(self.lists[k], 'Private RSA Key'))
        if self.steps[k - 1][0] == 'import-key':
            ok.append(self.key_alone(k))
        return ok

    def check_state(self, card, k, state, where, cache_left):
        """A card state a fault in step k can leave: consistent, and the
        step (or the recovery it names) completes from it; the file cache
        is the one that the faulted run left"""
        name = self.steps[k - 1][0]
        jd = os.path.dirname(state)
        c = os.path.join(jd, 'check.state')
        shutil.copy(state, c)
        cache = fresh_cache(os.path.join(jd, 'check.cache'), cache_left)
        if name in self.pins:
            return self.check_pin_state(card, k, c, where, cache)
        if name == 'erase-card':
            return self.check_erase_state(card, k, c, where, cache)
        card.load(c)
        rc, out = run(card, ['pkcs15-tool', '-D'], jd, cache)
        got = listing(out)
        complete = rc == 0 and got == self.lists[k] and tree(c) == self.trees[k]
        if k == 1 and rc != 0 and 'binding failed' in out:
            pass  # no PKCS#15 application yet (an interrupted --create-pkcs15)
        elif rc != 0 or re.search(r'failed|error', got, re.I):
            return self.fail('%s %s: pkcs15-tool -D fails after the fault:\n%s' % (name, where, out))
        elif got not in self.allowed(k):
            diff = difflib.unified_diff(self.lists[k].split('\n'), got.split('\n'),
                                        'after %s' % name, 'after the fault', lineterm='', n=1)
            return self.fail('%s %s: the listing is neither the card before nor after %s:\n%s' % (
                name, where, name, '\n'.join(diff)))
        if name == 'import-key' and got in (self.lists[k], self.key_alone(k)) and \
                not self.outcome_ok(k, jd, card, c, cache):
            return self.fail('%s %s: the imported key is listed but does not sign' % (name, where))
        if complete and self.steps[k - 1][1][0] == 'pkcs15-init':
            return
        card.load(c)
        rc, out = run(card, self.steps[k - 1][1], jd, cache)
        how = 'run again'
        if rc != 0 and name == 'import-key' and got == self.key_alone(k):
            # the private key is there: its public key is stored alone
            card.load(c)
            rc, out = run(card, ['pkcs15-init', '--store-public-key', os.path.join(self.d, 'imp.pub'),
                                 '--id', IMP, '--key-usage', 'sign,decrypt', '--pin', PIN,
                                 '--so-pin', SO], jd, cache)
            how = 'completed with pkcs15-init --store-public-key'
        elif rc != 0 and '--erase-card' in out:
            card.load(c)
            rc, out2 = run(card, RECOVERY, jd, cache)
            how = 'recovered with pkcs15-init --erase-card'
            for j in range(1, k + 1):
                if rc != 0:
                    break
                card.load(c)
                rc, out2 = run(card, self.steps[j - 1][1], jd, cache)
            out += out2
        if rc != 0:
            return self.fail('%s %s: %s fails:\n%s' % (name, where, how, out))
        if not self.outcome_ok(k, jd, card, c, cache):
            return self.fail('%s %s: %s: wrong signature or plaintext' % (name, where, how))
        bad = self.differs(card, k, c, jd, cache)
        if bad:
            return self.fail('%s %s: %s: %s' % (name, where, how, bad))

    def job(self, card, k, n):
        name, args = self.steps[k - 1]
        kind, when = KINDS[n % 3], WHENS[(n // 3) % 3]
        spec = '%s@%d:%s' % (kind, n, when)
        jd = os.path.join(self.d, 'job-%d-%d' % (k, n))
        os.makedirs(jd, exist_ok=True)
        run_state = os.path.join(jd, 'run.state')
        shutil.copy(self.ref(k - 1), run_state)
        card.load(run_state, fault=spec, states=jd)
        cache = fresh_cache(os.path.join(jd, 'run.cache'), self.ref_cache(k - 1))
        rc, out = run(card, args, jd, cache)
        with self.lock:
            self.runs += 1
        where = 'fault %s' % spec
        snaps = [os.path.join(jd, s + '.state') for s in ('before', 'half', 'after')]
        # the card is back at once after the fault (gap 0): vpcd must have
        # taken the new link before the next command, which would otherwise
        # meet the old link's end
        card.attached()
        if not all(os.path.exists(s) for s in snaps):
            return self.fail('%s %s: the fault did not strike (%d APDUs before)' % (
                name, where, self.counts[k]))
        if rc < 0:
            self.fail('%s %s: the command was killed by signal %d:\n%s' % (name, where, -rc, out))
        elif rc == 0:
            # the lost answer did not matter to the command: the card must
            # then be complete
            diff = tree_diff(self.trees[k], tree(run_state))
            if diff or not self.outcome_ok(k, jd, card, run_state, cache):
                self.fail('%s %s: succeeded, but the card or result is not complete:\n%s' % (
                    name, where, '\n'.join(diff) or 'wrong signature or plaintext'))
        elif out.count(NOTICE) > 1:
            self.fail('%s %s: the plug-in\'s notice of the lost card printed %d times:\n%s' % (
                name, where, out.count(NOTICE), out))
        elif not LOST.search(out):
            self.fail('%s %s: the error does not name the card removal or reset:\n%s' % (
                name, where, out))
        elif (name in self.pins or name == 'erase-card') and \
                not LOST_LAST.search(out.strip().splitlines()[-1]):
            # the tool's own last words name it too (the guard's line alone
            # is for OpenSC's paths that lose the error)
            self.fail('%s %s: the command\'s error does not name the card removal or reset:\n%s' % (
                name, where, out))
        for s, tag in zip(snaps, ('before', 'half', 'after')):
            h = (k, state_hash(s))
            with self.lock:
                if h in self.checked:
                    continue
                self.checked[h] = where
            self.check_state(card, k, s, '%s (card as left %s)' % (where, tag), cache)
        shutil.rmtree(jd, ignore_errors=True)


def main():
    work, pers_list = sys.argv[1], sys.argv[2].split(',')
    stride = int(sys.argv[sys.argv.index('--stride') + 1]) if '--stride' in sys.argv else 1
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    cards = {}
    jobs = queue.Queue()
    sweeps = []
    try:
        for pers in pers_list:
            if 0 in cards:
                cards[0].close()
            cards[0] = Card(0, pers, work)
            sw = Sweep(work, pers, stride)
            sw.reference(cards[0])
            sweeps.append(sw)
            for k in range(1, len(sw.steps) + 1):
                for n in range(1, sw.counts[k] + 1, stride):
                    jobs.put((sw, k, n))
        print('# reference runs: %.0f s; %d fault runs to do' % (time.time() - t0, jobs.qsize()),
              flush=True)

        def worker(i):
            card = cards.get(i)
            while True:
                try:
                    sw, k, n = jobs.get_nowait()
                except queue.Empty:
                    break
                if card is None or card.pers != sw.pers:
                    if card:
                        card.close()
                    card = cards[i] = Card(i, sw.pers, work)
                try:
                    sw.job(card, k, n)
                except Exception as e:  # noqa: a broken run is a failure, not a crash
                    sw.fail('%s position %d: %s' % (sw.steps[k - 1][0], n, e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(PORTS))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for c in cards.values():
            c.close()
    bad = 0
    for sw in sweeps:
        bad += sw.failures
        print('%s - %s: %d fault runs over %s APDU positions, %d card states checked, %d failures' % (
            'ok' if sw.failures == 0 else 'not ok', sw.pers, sw.runs,
            '+'.join(str(c) for c in sw.counts[1:] if c), len(sw.checked), sw.failures), flush=True)
    print('# fault sweep: %.0f s' % (time.time() - t0), flush=True)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
