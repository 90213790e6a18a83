#!/usr/bin/env python3
"""The repository stands alone (issue 14).

usage: check-self-contained.py SOURCE-ROOT

Fails when a file of the repository
- reads or cites the research folder next to a clone (the parent
  directory's shared/ tree), or
- cites a section (the section sign and a number, "acos5-card.md §3.8",
  also ranges and lists: "§2.3-2.6", "§2.4-2.6, 3.8") that the named
  Markdown file does not have.
A bare "§3" refers to the file named on the same or one of the three lines
before it; without one, in a Markdown file, to that file itself, and in
code to the document its header (first 15 lines) cites first. "RFC 8017
§9.2" and the like are not ours to check. The real-card logs in
tests/traces/ are data and are not read.
"""
import os
import re
import subprocess
import sys

SECT = '\u00a7'
# The strings we look for, built so that this file does not contain them.
FORBIDDEN = [re.compile(r'\.\./' + 'shared\\b'), re.compile(r'\bshared/' + '(research|traces)\\b')]
NUM = r'\d+(?:\.\d+)*'
REF = re.compile(r'(?:([\w./-]+\.md)[`)\]]*\s*)?' + SECT + r'\s?(' + NUM + r'(?:\s?[-\u2013]\s?' + SECT + r'?' +
                 NUM + r')?(?:,\s?' + SECT + r'?' + NUM + r'(?:\s?[-\u2013]\s?' + SECT + r'?' + NUM +
                 r')?(?=[,;)]|\s*$))*)')
EXTERNAL = re.compile(r'\b(RFC|ISO|FIPS|NIST|X\.\d+)\b[^' + SECT + r']{0,12}$')
HEADING = re.compile(r'^#+\s+(\d+(?:\.\d+)*)\.?\s')
SKIP_DIRS = ('tests/traces/', 'debian/.debhelper/', 'debian/opensc-pkicards/', 'debian/tmp/')


def repo_files(root):
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z'], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        files = [f for f in out.decode().split('\0') if f]
        if files:
            return files
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(root):
        rel = os.path.relpath(d, root)
        dirs[:] = [x for x in dirs if not (rel == '.' and (x.startswith(('build', 'obj-', '.git'))))]
        files += [os.path.normpath(os.path.join(rel, n)) for n in names]
    return files


def sections(path, cache={}):
    if path not in cache:
        try:
            with open(path, encoding='utf-8') as f:
                cache[path] = {m.group(1) for m in map(HEADING.match, f) if m}
        except OSError:
            cache[path] = None
    return cache[path]


def resolve(root, name, here):
    """the Markdown file a reference names, relative to the repository"""
    cands = [os.path.normpath(os.path.join(os.path.dirname(here), name)),
             os.path.normpath(name), os.path.join('doc', os.path.basename(name))]
    for c in cands:
        if os.path.isfile(os.path.join(root, c)):
            return c
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: check-self-contained.py SOURCE-ROOT')
    root = sys.argv[1]
    bad, nrefs = [], 0
    for rel in repo_files(root):
        if rel.startswith(SKIP_DIRS) or os.path.basename(rel) == os.path.basename(__file__):
            continue
        try:
            with open(os.path.join(root, rel), encoding='utf-8') as f:
                lines = f.read().split('\n')
        except (UnicodeDecodeError, OSError):
            continue
        recent = []      # (line number, file) of explicit references
        header = None    # code: the document the file's header cites
        for line in lines[:15]:
            m = REF.search(line) or re.search(r'([\w./-]+-card\.md|opensc-plugin\.md)', line)
            if m and m.group(1) and not rel.endswith('.md'):
                header = resolve(root, m.group(1), rel)
                break
        for no, line in enumerate(lines, 1):
            if any(rx.search(line) for rx in FORBIDDEN):
                bad.append('%s:%d: reads or cites the research folder outside the '
                           'repository: %s' % (rel, no, line.strip()))
            for m in REF.finditer(line):
                if EXTERNAL.search(line[:m.start()]):
                    continue
                name = m.group(1)
                if name:
                    target = resolve(root, name, rel)
                    if target is None:
                        bad.append('%s:%d: %s names %s, which is not in the repository'
                                   % (rel, no, m.group(0), name))
                        continue
                    recent.append((no, target))
                else:
                    near = [t for n, t in recent if no - n <= 3]
                    if near:
                        target = near[-1]
                    elif rel.endswith('.md'):
                        target = rel
                    elif header:
                        target = header
                    else:
                        bad.append('%s:%d: %s does not say which document it cites'
                                   % (rel, no, m.group(0)))
                        continue
                have = sections(os.path.join(root, target))
                for num in re.findall(NUM, m.group(2)):
                    nrefs += 1
                    if not have or num not in have:
                        bad.append('%s:%d: %s has no section %s' % (rel, no, target, num))
    for b in bad:
        print(b)
    print('%d section references checked, %d problems' % (nrefs, len(bad)))
    if nrefs == 0:
        print('no section reference found: is %s the source tree?' % root)
        sys.exit(1)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
