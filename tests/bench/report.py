#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Collect usertools/bench's raw logs into results.json, print a table,
draw the plots (gnuplot) and rewrite the generated block of
docs/benchmarks.md. Usage:

  report.py RAW_DIR RESULTS_JSON [--plots DIR] [--doc docs/benchmarks.md]
  report.py --series7 RAW_DIR          series 7's summary block alone
  report.py --s7-judge LOG RATE        one try of series 7's fixed-rate
                                       search: prints "clean" or why not
  report.py --s7-start RAW_DIR         where that search starts
  report.py --soak-plot RAW_DIR PNG    series 8's plot alone (the soak)

Never fails on speed; a series whose logs are missing is left out."""

import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

LINE_RATE_10G = 14.88


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def run_index(path):
    m = re.search(r'-(\d+)\.(log|json)$', path)
    return int(m.group(1)) if m else 0


# ------------------------------------------------------------------ series 1
def synackd_samples(path, key='rx_packets'):
    """Counter values printed every --stats-interval (not the final ones)."""
    vals, final = [], None
    block = None
    with open(path, errors='replace') as f:
        for line in f:
            if line.startswith('synackd: counters'):
                block = 'interval'
            elif line.startswith('synackd: stopping'):
                block = 'final'
            else:
                p = line.split()
                if len(p) == 2 and p[0] == key and p[1].isdigit():
                    if block == 'interval':
                        vals.append(int(p[1]))
                    elif block == 'final':
                        final = int(p[1])
    return vals, final


def synackd_rate(path):
    """Mean rate (pps) over 1 s samples, the first second left out."""
    vals, _ = synackd_samples(path)
    if len(vals) < 3:
        return None
    d = [b - a for a, b in zip(vals, vals[1:])][1:]
    return sum(d) / len(d) if d else None


def testpmd_rate(path):
    pps = []
    with open(path, errors='replace') as f:
        for line in f:
            m = re.search(r'Rx-pps:\s+(\d+)', line)
            if m:
                pps.append(int(m.group(1)))
    pps = pps[2:]  # the first period is start-up
    pps = [p for p in pps if p > 0] or pps
    return sum(pps) / len(pps) if pps else None


def build_names(raw):
    """The builds usertools/bench compared, "new" (SK_BUILD_DIR) first."""
    meta = load_json(os.path.join(raw, 'meta.json')) or {}
    names = list((meta.get('builds') or {}).keys())
    return names or ['new']


def spread(xs):
    xs = [x for x in xs if x is not None]
    return [min(xs), max(xs)] if xs else None


def rnd(x, n=3):
    return None if x is None else round(x, n)


def series1_v6(raw, rounds, rate4, trate):
    """s1-synack6-BUILD-w1-RUN.log: IPv6 SYNs, one worker, in the same
    rounds as IPv4. {build: figures}, beside the IPv4 ones: Mpps, the ratio
    to testpmd and to IPv4 of the same round (medians of per-run ratios)."""
    logs = {}
    for p in glob.glob(os.path.join(raw, 's1-synack6-*.log')):
        m = re.match(r's1-synack6-(.+)-w1-(\d+)\.log$', os.path.basename(p))
        if m:
            logs.setdefault(m.group(1), {})[int(m.group(2))] = p
    out = {}
    for b, byrun in logs.items():
        runs = []
        for i in rounds:
            r6 = synackd_rate(byrun[i]) if i in byrun else None
            r4, tr = rate4.get((b, 1, i)), trate.get(i)
            runs.append({'run': i,
                         'synack_mpps': rnd(r6 / 1e6) if r6 else None,
                         'ratio': rnd(r6 / tr) if r6 and tr else None,
                         'v6_vs_v4': rnd(r6 / r4) if r6 and r4 else None})
        out[b] = {'runs': runs,
                  'synack_mpps_median': median([r['synack_mpps']
                                                for r in runs]),
                  'ratio_median_of_runs': median([r['ratio'] for r in runs]),
                  'ratio_range': spread([r['ratio'] for r in runs]),
                  'v6_vs_v4_median_of_runs':
                      median([r['v6_vs_v4'] for r in runs])}
    return out


def series1(raw):
    """s1-synack-BUILD-wW-RUN.log (and the older s1-synack-RUN.log: build
    "new", one worker), s1-testpmd-RUN.log; IPv6: s1-synack6-BUILD-w1-RUN.log
    (builds[B]['ipv6'])."""
    syn = {}  # (build, workers) -> {run: log}
    for p in glob.glob(os.path.join(raw, 's1-synack-*.log')):
        b = os.path.basename(p)
        m = re.match(r's1-synack-(.+)-w(\d+)-(\d+)\.log$', b)
        if m:
            syn.setdefault((m.group(1), int(m.group(2))), {})[
                int(m.group(3))] = p
            continue
        m = re.match(r's1-synack-(\d+)\.log$', b)
        if m:
            syn.setdefault(('new', 1), {})[int(m.group(1))] = p
    tpm = {run_index(p): p for p in
           glob.glob(os.path.join(raw, 's1-testpmd-*.log'))}
    if not syn and not tpm:
        return None
    trate = {i: testpmd_rate(p) for i, p in tpm.items()}
    names = [n for n in build_names(raw) if any(k[0] == n for k in syn)]
    names += sorted({k[0] for k in syn} - set(names))
    workers = sorted({k[1] for k in syn})
    rounds = sorted(set(trate) | {i for v in syn.values() for i in v})
    rate = {}  # (build, workers, run) -> pps
    for (b, w), logs in syn.items():
        for i, p in logs.items():
            rate[(b, w, i)] = synackd_rate(p)
    v6 = series1_v6(raw, rounds, rate, trate)
    builds = {}
    for b in names:
        runs = []
        for i in rounds:
            sr, tr = rate.get((b, 1, i)), trate.get(i)
            runs.append({'run': i,
                         'synack_mpps': rnd(sr / 1e6) if sr else None,
                         'testpmd_mpps': rnd(tr / 1e6) if tr else None,
                         'ratio': rnd(sr / tr) if sr and tr else None})
        sm = median([r['synack_mpps'] for r in runs])
        tm = median([r['testpmd_mpps'] for r in runs])
        out = {'runs': runs,
               'synack_mpps_median': sm,
               'ratio': rnd(sm / tm) if sm and tm else None,
               'ratio_median_of_runs': median([r['ratio'] for r in runs]),
               'ratio_range': spread([r['ratio'] for r in runs]),
               'workers': {}}
        for w in workers:
            if w == 1:
                continue
            wr = []
            for i in rounds:
                x = rate.get((b, w, i))
                p = syn.get((b, w), {}).get(i)
                _, drops = synackd_samples(p, 'drop_handoff') if p else (
                    None, None)
                wr.append({'run': i,
                           'mpps': rnd(x / 1e6) if x else None,
                           'per_worker_mpps': rnd(x / w / 1e6) if x else None,
                           'drop_handoff': drops})
            tot = median([r['mpps'] for r in wr])
            out['workers'][str(w)] = {
                'runs': wr, 'mpps_median': tot,
                'per_worker_mpps_median':
                    median([r['per_worker_mpps'] for r in wr]),
                'per_worker_vs_one_worker':
                    rnd(tot / w / sm) if tot and sm else None}
        if b in v6:
            out['ipv6'] = v6[b]
        builds[b] = out
    tm = median([rnd(trate[i] / 1e6) if trate.get(i) else None
                 for i in rounds])
    res = {
        'what': 'SYN -> SYN-ACK on one worker lcore, net_pcap infinite_rx '
                '(65,536 distinct SYNs), TX dropped; testpmd macswap on the '
                'same device and file, in alternating runs; with W workers, '
                'one rx_pcap queue each (software dispatch), the rate per '
                'worker is the total / W; ipv6: the same with 65,536 IPv6 '
                'SYNs to synackd with an IPv4 and an IPv6 address, one '
                'worker, in the same rounds (ratio to the same round\'s '
                'testpmd and IPv4 run)',
        'builds': builds,
        'testpmd_mpps_median': tm,
        'testpmd_runs': [rnd(trate[i] / 1e6) if trate.get(i) else None
                         for i in rounds],
        'target_mpps': LINE_RATE_10G,
        'target_ratio': 0.5,
        'stretch_ratio': 0.7,
    }
    # the first build's figures at the top, as before there were builds
    first = builds.get('new') or (builds[names[0]] if names else None)
    if first:
        for k in ('runs', 'synack_mpps_median', 'ratio',
                  'ratio_median_of_runs', 'ratio_range'):
            res[k] = first[k]
        if '2' in first['workers']:
            res['two_workers_per_worker_mpps_median'] = \
                first['workers']['2']['per_worker_mpps_median']
        if 'ipv6' in first:
            res['ipv6'] = first['ipv6']
    # before / after: the same round, so the same machine state
    if len(names) > 1:
        res['compare'] = {}
        for b in names[1:]:
            rr = [rnd(rate[(names[0], 1, i)] / rate[(b, 1, i)])
                  for i in rounds
                  if rate.get((names[0], 1, i)) and rate.get((b, 1, i))]
            res['compare']['%s_vs_%s' % (names[0], b)] = {
                'per_run_speedup': rr, 'speedup_median': median(rr)}
    return res


# ------------------------------------------------------------------ series 2
PROFILE_TOP = 12


def callgrind_total(path):
    with open(path, errors='replace') as f:
        for line in f:
            if line.startswith(('totals:', 'summary:')):
                return int(line.split()[1])
    return None


def callgrind_functions(path):
    """[(function, exclusive Ir)] from callgrind_annotate's text output,
    grouped by function name (the file part and callgrind's 'N recursion
    suffix dropped), largest first."""
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except OSError:
        return []
    acc = {}
    # only the function list: after its 'file:function' heading, up to the
    # rule that ends it (what follows, when callgrind_annotate annotates
    # source, has lines of the same shape: call counts '=> f (Nx)', totals)
    listing = False
    for line in text.splitlines():
        if not listing:
            listing = 'file:function' in line
            continue
        if line.startswith('---') and acc:
            break
        m = re.match(r'\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(.*?)(?:\s+\[[^\]]*\])?\s*$',
                     line)
        if not m or 'PROGRAM TOTALS' in line:
            continue
        fn = m.group(2).rsplit(':', 1)[-1]
        fn = re.sub(r"'\d+$", '', fn)
        acc[fn] = acc.get(fn, 0) + int(m.group(1).replace(',', ''))
    return sorted(acc.items(), key=lambda kv: -kv[1])


S2_KINDS = (('syn', 'sk_engine_input'), ('ack', 'bench_in_ack'),
            ('syn_offload', 'sk_engine_input'),
            ('ack_offload', 'bench_in_ack'),
            # the same over IPv6 (bench_lib with BENCH_FAMILY=6)
            ('syn6', 'sk_engine_input'), ('ack6', 'bench_in_ack'),
            ('syn6_offload', 'sk_engine_input'),
            ('ack6_offload', 'bench_in_ack'))


def series2_build(raw, b):
    res = {}
    for k, wrap in S2_KINDS:
        mode = k.split('_')[0].rstrip('6')
        cg = os.path.join(raw, 'callgrind.%s.%s.out' % (b, k))
        js = load_json(os.path.join(raw, 's2-%s-%s.json' % (b, k)))
        if b == 'new' and not os.path.exists(cg):
            # raw logs of a bench without builds
            cg = os.path.join(raw, 'callgrind.%s.out' % k)
            js = load_json(os.path.join(raw, 's2-%s.json' % k))
        if not os.path.exists(cg) or not js:
            continue
        # a bench_lib from before BENCH_FAMILY runs IPv4 whatever it is
        # told: not an IPv6 figure
        if js.get('family', 4) != (6 if '6' in k else 4):
            continue
        pk = js[mode]['packets']
        ir = callgrind_total(cg)
        if not ir or not pk:
            continue
        fns = callgrind_functions(cg[:-len('.out')] + '.txt')
        top = fns[:PROFILE_TOP]
        rest = ir - sum(v for _, v in top)
        res[k] = {
            'collected': wrap,
            'packets': pk,
            'ir_total': ir,
            'ir_per_packet': round(ir / pk, 1),
            'top_functions_ir_per_packet':
                [[fn, round(v / pk, 1)] for fn, v in top],
            'other_functions_ir_per_packet': round(rest / pk, 1),
            'functions': len(fns),
        }
    return res


def series2(raw):
    builds = {}
    for b in build_names(raw):
        r = series2_build(raw, b)
        if r:
            builds[b] = r
    if not builds:
        return None
    first = builds.get('new') or builds[next(iter(builds))]
    res = dict(first)
    res['builds'] = builds
    res['what'] = ('valgrind --tool=callgrind instructions (Ir) inside '
                   'sk_engine_input per packet, bursts of 32, no checksum '
                   'offload: syn = SYN -> SYN-ACK, ack = ACK with a valid '
                   'cookie -> new ESTABLISHED flow (cookie check + insert); '
                   '*_offload: the same with RX/TX checksum offload claimed '
                   '(as on a physical NIC); syn6, ack6, ...: the same over '
                   'IPv6 (BENCH_FAMILY=6); the profile: exclusive Ir per '
                   'packet by function as callgrind_annotate lists them, '
                   'the top %d and the rest' % PROFILE_TOP)
    res['target_ir_per_syn'] = 400
    res['target_ir_per_ack'] = 500
    return res


# ------------------------------------------------------------------ series 3
def series3(raw):
    runs = [load_json(p) for p in
            sorted(glob.glob(os.path.join(raw, 's3-*.json')), key=run_index)]
    runs = [r for r in runs if r]
    if not runs:
        return None
    out = {'what': 'in-process (bench_lib), one lcore, TSC around '
                   'sk_engine_input: SYN -> SYN-ACK, ACK -> ESTABLISHED, '
                   'FIN -> FIN|ACK (hold: LAST_ACK), last ACK -> closed',
           'flows': runs[0]['flows'], 'runs': len(runs)}
    for ph in ('syn', 'ack', 'fin', 'last_ack'):
        out[ph + '_ns_per_packet'] = round(median(
            [r[ph]['ns_per_packet'] for r in runs]), 1)
        out[ph + '_mpps'] = round(median([r[ph]['mpps'] for r in runs]), 3)
    for k in ('handshakes_per_s', 'closes_per_s', 'connections_per_s'):
        out[k] = int(median([r[k] for r in runs]))
    c = runs[-1]['counters']
    out['checks'] = {
        'every_ack_made_a_flow': c['flow_created'] == c['cookie_ok'] ==
        c['tx_synack'],
        'every_flow_closed': c['close_normal'] == c['flow_created'] and
        c['live_flows'] == 0,
        'no_rst': c['tx_rst'] == 0,
    }
    return out


# ------------------------------------------------------------------ series 4
def series4(raw):
    pts = []
    for p in glob.glob(os.path.join(raw, 's4-*.json')):
        j = load_json(p)
        if not j or j.get('mode') != 'scale':
            continue
        c = j['counters']
        pts.append({
            'flows': j['flows'],
            'establish_mpps': round(j['establish']['mpps'], 3),
            'establish_ns': round(j['establish']['ns_per_packet'], 1),
            'lookup_mpps': round(j['lookup']['mpps'], 3),
            'lookup_ns': round(j['lookup']['ns_per_packet'], 1),
            'lookups': j['lookup']['packets'],
            'live_flows': c['live_flows'],
            'table_full_rsts': c['tx_rst_table_full'],
            'table_bytes': j['table_bytes'],
            # the whole table, index included, over the flows it holds
            'bytes_per_flow': round(j['table_bytes'] / j['flows'], 2),
            'entry_bytes': j.get('entry_bytes'),
        })
    pts.sort(key=lambda p: p['flows'])
    mem = load_json(os.path.join(raw, 's4-memory.json'))
    if not pts and not mem:
        return None
    out = {'what': 'table of capacity N filled with N flows (cookie ACKs; '
                   'establish rate over the fill), then pure ACKs to them '
                   'in random order (lookup rate); bytes per flow: the '
                   'whole table (entries and index) / N',
           'points': pts}
    if mem:
        out['memory_10m'] = {
            'flows': mem['capacity'], 'bytes': mem['bytes'],
            'mib': round(mem['bytes'] / 2**20, 1),
            'bytes_per_flow': mem['bytes_per_flow'],
            'entry_bytes': mem['entry_bytes']}
    if len(pts) >= 2 and pts[0]['flows'] <= 1024 and pts[0]['lookup_mpps']:
        out['lookup_ratio_largest_to_1k'] = round(
            pts[-1]['lookup_mpps'] / pts[0]['lookup_mpps'], 3)
        out['largest'] = pts[-1]['flows']
        out['largest_bytes_per_flow'] = pts[-1]['bytes_per_flow']
    out['targets'] = {'bytes_per_flow_max': 64, 'mem_10m_max_bytes': 2**30,
                      'lookup_largest_vs_1k_min': 0.5,
                      'largest_flows_long': 100000000}
    return out


# ------------------------------------------------------------------ series 5
def tcpreplay_info(path):
    info = {}
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except OSError:
        return info
    m = re.search(r'Actual:\s+(\d+) packets.*?in ([\d.]+) seconds', text)
    if m:
        info['sent'] = int(m.group(1))
        info['seconds'] = float(m.group(2))
    m = re.search(r'Rated:.*?([\d.]+) pps', text)
    if m:
        info['pps'] = float(m.group(1))
    return info


def s5_kernel_json(path):
    """s5-kernel-N.json; also the ones an older bench wrote with bc's
    "seconds": .65 (not JSON) for a run under a second."""
    j = load_json(path)
    if j is not None:
        return j
    t = read_text(path) or ''
    c = re.search(r'"syncookies_sent":\s*(-?\d+)', t)
    sec = re.search(r'"seconds":\s*(\d*\.?\d+)', t)
    out = {}
    if c:
        out['syncookies_sent'] = int(c.group(1))
    if sec:
        out['seconds'] = float(sec.group(1))
    return out


def series5(raw):
    ks = sorted(glob.glob(os.path.join(raw, 's5-kernel-*.json')),
                key=run_index)
    if not ks:
        return None
    runs = []
    for p in ks:
        i = run_index(p)
        k = s5_kernel_json(p)
        ki = tcpreplay_info(os.path.join(raw, 's5-kernel-%d-tcpreplay.log' % i))
        si = tcpreplay_info(os.path.join(raw, 's5-synack-%d-tcpreplay.log' % i))
        r = {'run': i}
        # over tcpreplay's own sending time: all SYN-ACKs go out within
        # it (veth delivers synchronously); the wall time around it when
        # tcpreplay's log has none
        secs = ki.get('seconds') or k.get('seconds')
        if 'syncookies_sent' in k and secs:
            r['kernel_synacks'] = k['syncookies_sent']
            r['kernel_offered_pps'] = ki.get('pps')
            r['kernel_synack_pps'] = k['syncookies_sent'] / secs
            if ki.get('sent'):
                r['kernel_answered'] = round(
                    k['syncookies_sent'] / ki['sent'], 3)
        slog = os.path.join(raw, 's5-synack-%d.log' % i)
        if os.path.exists(slog) and si.get('seconds'):
            vals, final = synackd_samples(slog, 'tx_synack')
            tot = final if final is not None else (vals[-1] if vals else 0)
            r['synack_synacks'] = tot
            r['synack_offered_pps'] = si.get('pps')
            r['synack_synack_pps'] = tot / si['seconds']
            if si.get('sent'):
                r['synack_answered'] = round(tot / si['sent'], 3)
        runs.append(r)
    km = median([r.get('kernel_synack_pps') for r in runs])
    sm = median([r.get('synack_synack_pps') for r in runs])
    ko = median([r.get('kernel_offered_pps') for r in runs])
    so = median([r.get('synack_offered_pps') for r in runs])
    return {
        'what': 'SYNs replayed by tcpreplay --topspeed from netns A over a '
                'veth into netns B: the kernel (tcp_syncookies=2, a '
                'listener) vs synack on net_af_packet; SYN-ACKs per second',
        'runs': runs,
        'kernel_synack_pps_median': km,
        'synack_synack_pps_median': sm,
        'kernel_offered_pps_median': ko,
        'synack_offered_pps_median': so,
        'ratio_synack_to_kernel': round(sm / km, 3) if sm and km else None,
        'kernel_answered_median': median(
            [r.get('kernel_answered') for r in runs]),
        'synack_answered_median': median(
            [r.get('synack_answered') for r in runs]),
        'sender_limited': bool(km and ko and km > 0.95 * ko and
                               sm and so and sm > 0.95 * so),
    }


# ------------------------------------------------------------------ series 7
# The reference (issue 11): a well-known DPDK CPS tester, one client
# and one server lcore over net_memif (rings of 4096) on a 2-vCPU machine,
# holds 800 K clean for 10 s (1 M clean in 3 of 10 runs, collapsing above);
# the target is 2 M held clean for 10 s.
REF_CLEAN_CPS = 800000
REF_COLLAPSE_CPS = 1000000
TARGET_HELD_CPS = 2000000
# a fixed rate is held when at least this share of it was achieved
HOLD_ACHIEVED_MIN = 0.97


def read_text(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return None


def client_json(txt):
    """synackd's --json summary line in a log, or None."""
    m = re.findall(r'^\{"client".*$', txt or '', re.M)
    try:
        return json.loads(m[-1])['client'] if m else None
    except ValueError:
        return None


def load_at(raw, i):
    t = read_text(os.path.join(raw, 's7-load-%d.txt' % i))
    return t.strip() if t else None


def hold_judge(txt, rate):
    """One try of the fixed-rate search (wire.py SK_WIRE_CPS=RATE
    SK_WIRE_CONNECTIONS=0): (clean, reasons, the client's summary).
    Clean: wire.py's checks all held (every connection established and
    completed, both sides agree, no RST, drop, tx_full or mbuf lost), no
    failure, no SYN retransmission, and the rate was held: achieved at least
    HOLD_ACHIEVED_MIN of it."""
    c = client_json(txt)
    why = []
    if not c:
        why.append('no summary')
    else:
        if c.get('failed'):
            why.append('%d failed' % c['failed'])
        if c.get('syn_retx'):
            why.append('%d SYN retransmissions' % c['syn_retx'])
        if c.get('cps', 0) < HOLD_ACHIEVED_MIN * rate:
            why.append('achieved %.0f CPS (< %d %% of %d)' % (
                c.get('cps', 0), HOLD_ACHIEVED_MIN * 100, rate))
    if not re.search(r'^ok: ', txt or '', re.M):
        bad = re.search(r'^FAIL: (.*(?:\n  .*)*)', txt or '', re.M)
        parts = [x.strip() for x in bad.group(1).split('\n')] if bad else []
        why.append('checks failed: ' + (
            (parts[0] + ' ' + '; '.join(parts[1:])).strip()
            if parts else 'no "ok" line'))
    return not why, why, c


def series7_hold(raw):
    steps = []
    for p in glob.glob(os.path.join(raw, 's7-hold-*-*.log')):
        m = re.match(r's7-hold-(\d+)-(\d+)\.log$', os.path.basename(p))
        if not m:
            continue
        rate = int(m.group(2))
        ok, why, c = hold_judge(read_text(p), rate)
        st = {'step': int(m.group(1)), 'offered_cps': rate, 'clean': ok,
              'why_not': why}
        if c:
            st.update({'achieved_cps': round(c['cps']),
                       'attempted': c['attempted'], 'failed': c['failed'],
                       'syn_retx': c['syn_retx'], 'open_s': c['open_s'],
                       'p50_us': c['latency_us']['p50'],
                       'p99_us': c['latency_us']['p99']})
        steps.append(st)
    if not steps:
        return None
    steps.sort(key=lambda x: x['step'])
    cfg = load_json(os.path.join(raw, 's7-hold.json')) or {}
    clean = [x['offered_cps'] for x in steps if x['clean']]
    failed = [x['offered_cps'] for x in steps if not x['clean']]
    best = max(clean) if clean else None
    above = [r for r in failed if best is None or r > best]
    return {
        'what': 'the highest fixed --cps rate held clean for %s s: every '
                'connection established and completed, wire.py\'s checks '
                'held, no failure, no SYN retransmission, >= %d %% of the '
                'rate achieved; searched from the ramp\'s best in steps of '
                '1/8, then halved' % (cfg.get('hold_s', '?'),
                                      HOLD_ACHIEVED_MIN * 100),
        'hold_s': cfg.get('hold_s'), 'concurrency': cfg.get('concurrency'),
        'steps': steps, 'best_held_cps': best,
        'lowest_failed_above_cps': min(above) if above else None,
        'loadavg': (read_text(os.path.join(raw, 's7-hold-load.txt')) or
                    '').strip() or None,
        'target_cps': TARGET_HELD_CPS,
        'reference_held_cps': REF_CLEAN_CPS,
    }


def series7_start(raw):
    """Where the fixed-rate search starts: the clean ramps' median best
    step, rounded to 10 K."""
    s7 = series7(raw)
    rm = s7 and s7['wire_ramp']['best_clean_cps_median']
    if not rm:
        rm = median([r.get('best_clean_cps') for r in
                     (s7['wire_ramp']['runs'] if s7 else [])])
    return int(round(rm / 10000.0)) * 10000 if rm else None


def series7(raw):
    ramp, fixed, kern, ck = [], [], [], []
    for p in sorted(glob.glob(os.path.join(raw, 's7-wire-ramp-*.log')),
                    key=run_index):
        txt = read_text(p)
        c = client_json(txt)
        if not c or not c.get('ramp'):
            ramp.append({'run': run_index(p), 'error': 'no summary'})
            continue
        r = c['ramp']
        bad = re.search(r'^FAIL: (.*(?:\n  .*)*)', txt, re.M)
        ramp.append({
            'run': run_index(p), 'best_clean_cps': r['best_cps'],
            'offered_cps_end': r['offered_cps'], 'steps': r['steps'],
            'step_ms': r['step_ms'], 'backoffs': r['backoffs'],
            'attempted': c['attempted'], 'failed': c['failed'],
            'syn_retx': c['syn_retx'], 'no_tuple': c['no_tuple'],
            'mean_cps': c['cps'], 'p50_us': c['latency_us']['p50'],
            'p99_us': c['latency_us']['p99'],
            'checks_ok': bool(re.search(r'^ok: ', txt, re.M)),
            'checks_failed': bad.group(1).split('\n  ')[1:] if bad else [],
            'loadavg': load_at(raw, run_index(p))})
    for p in sorted(glob.glob(os.path.join(raw, 's7-wire-[0-9]*.log')),
                    key=run_index):
        txt = read_text(p)
        c = client_json(txt)
        if c:
            fixed.append({'run': run_index(p), 'cps': c['cps'],
                          'attempted': c['attempted'], 'failed': c['failed'],
                          'syn_retx': c['syn_retx'],
                          'p99_us': c['latency_us']['p99'],
                          'checks_ok': bool(re.search(r'^ok: ', txt, re.M))})
    for p in sorted(glob.glob(os.path.join(raw, 's7-kernel-*.json')),
                    key=run_index):
        k = load_json(p)
        if k and 'kernel_loopback_cps' in k:
            kern.append({'run': run_index(p), 'cps': k['kernel_loopback_cps'],
                         'failed': k.get('failed')})
    for p in sorted(glob.glob(os.path.join(raw, 's7-client-kernel-*.log')),
                    key=run_index):
        m = re.findall(r'^client_kernel: (\{.*\})$', read_text(p) or '', re.M)
        try:
            d = json.loads(m[-1]) if m else None
        except ValueError:
            d = None
        if d:
            ck.append({'run': run_index(p), 'best_clean_cps': d['best_clean_cps'],
                       'backoffs': d['backoffs'], 'steps': d['steps'],
                       'attempted': d['attempted'], 'failed': d['failed'],
                       'syn_retx': d['syn_retx'], 'p99_us': d['latency_us']['p99'],
                       'agree': d['agree']})
        else:
            ck.append({'run': run_index(p), 'error': 'no summary'})
    hold = series7_hold(raw)
    if not (ramp or fixed or kern or ck or hold):
        return None
    # the ramp's figure counts only from runs whose checks all held
    rm = median([r.get('best_clean_cps') for r in ramp if r.get('checks_ok')])
    km = median([r['cps'] for r in kern])
    cm = median([r.get('best_clean_cps') for r in ck if r.get('agree')])
    fm = median([r['cps'] for r in fixed if r['checks_ok']])
    hm = hold['best_held_cps'] if hold else None
    return {
        'what': 'connections per second: (a) synackd client -> synackd '
                'server over net_memif, 1-byte echo: the highest fixed '
                'rate held clean for 10 s (the headline), the --cps max '
                'ramp\'s best clean step, and a fixed N of hello '
                'connections; (b) the kernel on loopback, epoll server + '
                'connect/close client, one CPU each; (c) synackd client -> '
                'kernel over net_tap, --cps max',
        'wire_hold': hold,
        'held_clean_cps': hm,
        'ratio_held_to_reference': round(hm / REF_CLEAN_CPS, 2) if hm else None,
        'ratio_held_to_target': round(hm / TARGET_HELD_CPS, 2) if hm else None,
        'wire_ramp': {'runs': ramp, 'best_clean_cps_median': rm,
                      'clean_runs': sum(1 for r in ramp if r.get('checks_ok'))},
        'wire_fixed': {'runs': fixed, 'cps_median': fm},
        'kernel_loopback': {'runs': kern, 'cps_median': km},
        'client_kernel_tap': {'runs': ck, 'best_clean_cps_median': cm},
        'ratio_wire_to_kernel_loopback': round(rm / km, 1) if rm and km else None,
        'ratio_client_kernel_to_kernel_loopback':
            round(cm / km, 2) if cm and km else None,
        'reference': {'held_clean_10s_cps': REF_CLEAN_CPS,
                      'collapse_above_cps': REF_COLLAPSE_CPS},
        'target_held_cps': TARGET_HELD_CPS,
        'ratio_wire_to_reference': round(rm / REF_CLEAN_CPS, 2) if rm else None,
    }


def series7_summary(s7):
    """The block usertools/bench prints after series 7."""
    def runs(xs, key):
        return ', '.join('-' if x.get(key) is None else '%.0f' % x[key]
                         for x in xs) or '-'
    r, f = s7['wire_ramp'], s7['wire_fixed']
    k, c = s7['kernel_loopback'], s7['client_kernel_tap']
    h = s7.get('wire_hold')
    if h:
        print('  (a) synack client -> server over net_memif: HIGHEST FIXED '
              'RATE HELD CLEAN FOR %s s: %s CPS (target %d, the reference '
              'holds %d; %s in flight at most%s)' % (
                  h['hold_s'], fmt(h['best_held_cps'], '%.0f'),
                  TARGET_HELD_CPS, REF_CLEAN_CPS, h['concurrency'],
                  '; SHORT RUNS (--quick), not the 10 s figure'
                  if h['hold_s'] and h['hold_s'] < 10 else ''))
        for x in h['steps']:
            print('      try %d: %d CPS offered, %s achieved: %s' % (
                x['step'], x['offered_cps'],
                fmt(x.get('achieved_cps'), '%.0f'),
                'clean' if x['clean'] else
                'not clean (%s)' % '; '.join(x['why_not'])))
    if r['runs']:
        print('  (a) synack client -> server over net_memif, --cps max: best '
              'clean CPS median %s (runs %s; checks held in %d of %d)' % (
                  fmt(r['best_clean_cps_median'], '%.0f'),
                  runs(r['runs'], 'best_clean_cps'), r['clean_runs'],
                  len(r['runs'])))
        print('      backoffs %s; SYN retransmissions %s; failed %s; p99 '
              'handshake %s us' % (runs(r['runs'], 'backoffs'),
                                  runs(r['runs'], 'syn_retx'),
                                  runs(r['runs'], 'failed'),
                                  runs(r['runs'], 'p99_us')))
        for x in r['runs']:
            if x.get('checks_failed'):
                print('      run %d not clean: %s' % (
                    x['run'], '; '.join(x['checks_failed'])))
    if f['runs']:
        print('      fixed N (hello, 512 in flight): median %s CPS (runs %s)'
              % (fmt(f['cps_median'], '%.0f'), runs(f['runs'], 'cps')))
    if k['runs']:
        print('  (b) Linux kernel on loopback (epoll server, connect/close '
              'client): median %s CPS (runs %s)' % (
                  fmt(k['cps_median'], '%.0f'), runs(k['runs'], 'cps')))
    if c['runs']:
        print('  (c) synack client -> Linux kernel over net_tap, --cps max: '
              'best clean CPS median %s (runs %s; backoffs %s; SYN '
              'retransmissions %s; sides agree %s)' % (
                  fmt(c['best_clean_cps_median'], '%.0f'),
                  runs(c['runs'], 'best_clean_cps'), runs(c['runs'], 'backoffs'),
                  runs(c['runs'], 'syn_retx'),
                  ', '.join(str(x.get('agree', '-')) for x in c['runs'])))
    print('  ratios: (a) ramp/(b) %s, (c)/(b) %s, (a) held/reference '
          '(%d K held) %s, (a) ramp/reference %s' % (
              fmt(s7['ratio_wire_to_kernel_loopback'], '%.1f'),
              fmt(s7['ratio_client_kernel_to_kernel_loopback'], '%.2f'),
              REF_CLEAN_CPS // 1000,
              fmt(s7.get('ratio_held_to_reference'), '%.2f'),
              fmt(s7['ratio_wire_to_reference'], '%.2f')))


# ---------------------------------------------------------------- series 8
def series8(raw):
    """The soak (tests/hostile/soak.py): its checks and samples."""
    s = load_json(os.path.join(raw, 's8-soak.json'))
    if not s:
        return None
    rows = []
    try:
        with open(os.path.join(raw, 's8-soak.csv')) as f:
            head = f.readline().strip().split(',')
            for line in f:
                v = line.strip().split(',')
                rows.append({k: (float(x) if x else None)
                             for k, x in zip(head, v)})
    except OSError:
        pass
    s['samples_csv'] = rows
    return s


CHAIN_VARIANTS = (('a1-v4', 'one arm, IPv4'), ('a2-v4', 'two arms, IPv4'),
                  ('a1-v6', 'one arm, IPv6'), ('a2-v6', 'two arms, IPv6'))


def series9_chain(raw):
    """bench_chain (usertools/bench series 9 (a)): per build and variant,
    the medians over the runs of the proxy's ns per proxied connection,
    connections/s and frames in/s of its own time, and callgrind's
    instructions per connection and per frame in. Runs that broke the
    chain (a connection failed) are left out and counted."""
    out = {}
    for b in build_names(raw):
        for v, _ in CHAIN_VARIANTS:
            runs = [load_json(p) for p in sorted(glob.glob(os.path.join(
                raw, 's9-chain-%s-%s-*.json' % (b, v))), key=run_index)]
            good = [r for r in runs if r and r.get('finished') and
                    r['client']['failed'] == 0 and
                    r['client']['completed'] == r['connections']]
            if not runs:
                continue
            x = {'runs': len(runs), 'broken_runs': len(runs) - len(good)}
            if good:
                px = [r['proxy'] for r in good]
                x['connections'] = good[0]['connections']
                x['frames_in_per_connection'] = round(
                    px[0]['frames_in'] / px[0]['established'], 2)
                x['relayed_per_connection'] = round(
                    px[0]['relayed'] / px[0]['established'], 2)
                for k in ('ns_per_connection', 'connections_per_s',
                          'ns_per_frame_in', 'frames_in_mpps'):
                    x[k] = round(median([p[k] for p in px]), 3)
            cg = os.path.join(raw, 'callgrind.%s.chain-%s.out' % (b, v))
            js = load_json(os.path.join(raw, 's9-chaincg-%s-%s.json' % (b, v)))
            ir = callgrind_total(cg) if os.path.exists(cg) else None
            if ir and js and js['proxy']['established']:
                x['ir_per_connection'] = round(
                    ir / js['proxy']['established'], 1)
                x['ir_per_frame_in'] = round(ir / js['proxy']['frames_in'], 1)
            out.setdefault(b, {})[v] = x
    if not out:
        return None
    return {'what': 'bench_chain: a synack client role -> the proxy -> a '
                    'synack server (hello), one process, one lcore; only '
                    "the proxy's sk_engine_input/sk_engine_timers timed "
                    '(TSC) and collected (callgrind); no PMD or kernel '
                    'cost', 'builds': out}


def series9_memif(raw):
    """proxy_chain.py (usertools/bench series 9 (c)): per family, the
    medians over the runs of the client's connections/s and the proxy's
    frames in per second; runs that failed (no JSON) are counted."""
    out = {}
    for fam in (4, 6):
        logs = glob.glob(os.path.join(raw, 's9-memif-v%d-*.log' % fam))
        runs = [load_json(p) for p in sorted(glob.glob(os.path.join(
            raw, 's9-memif-v%d-*.json' % fam)), key=run_index)]
        runs = [r for r in runs if r]
        if not logs:
            continue
        x = {'runs': len(logs), 'failed_runs': len(logs) - len(runs)}
        if runs:
            x['connections'] = runs[0]['connections']
            x['concurrency'] = runs[0]['concurrency']
            x['shared_cpu'] = runs[0]['shared_cpu']
            x['cps'] = round(median([r['client_cps'] for r in runs]))
            x['proxy_rx_mpps'] = round(median(
                [r['proxy']['rx_mpps'] for r in runs]), 3)
        out['ipv%d' % fam] = x
    return out or None


def series9(raw):
    """The SYN proxy: in process (bench_chain) and against the kernel
    (tests/bench/proxy_bench.py): the latter's JSON as written, less the
    per-run details the table does not use (they stay in
    raw/s9-proxy.json)."""
    s = load_json(os.path.join(raw, 's9-proxy.json'))
    chain = series9_chain(raw)
    memif = series9_memif(raw)
    if not s:
        out = {k: v for k, v in (('chain', chain), ('memif', memif)) if v}
        return out or None
    out = {k: s.get(k) for k in ('cpus', 'loadavg_start', 'loadavg_end',
                                 'requests', 'concurrency', 'rounds',
                                 'bulk_bytes', 'synproxy_rules', 'notes')}
    out['cps'] = {ts: {k: v for k, v in x.items() if k != 'runs'}
                  for ts, x in (s.get('cps') or {}).items()}
    b = s.get('bulk') or {}
    out['bulk'] = {k: v for k, v in b.items() if k != 'runs'}
    if chain:
        out['chain'] = chain
    if memif:
        out['memif'] = memif
    return out


def soak_plot(s8, out, stamp=''):
    """RSS of both synackd (MiB, left) and mbufs in use (right) against
    minutes."""
    rows = [[r['t_s'] / 60.0, (r['rss_kb'] or 0) / 1024.0,
             (r.get('client_rss_kb') or float('nan')) / 1024.0,
             r['mbufs_in_use'] or 0]
            for r in s8.get('samples_csv', []) if r.get('rss_kb')]
    if not rows:
        return
    gnuplot('set title "Series 8: soak, %.0f min, 2 workers%s"\n'
            'set xlabel "minutes"\nset ylabel "RSS, MiB"\n'
            'set y2label "mbufs in use"\nset ytics nomirror\n'
            'set y2tics\nset grid\nset yrange [0:*]\nset y2range [0:*]\n'
            'set key bottom right\n'
            'plot "{d}" using 1:2 with linespoints lw 2 title "synackd (server) '
            'RSS", "" using 1:3 with linespoints lw 2 title "synackd (client '
            'role) RSS", "" using 1:4 axes x1y2 with linespoints lw 2 title '
            '"mbufs in use (server)"\n'
            % (s8.get('minutes', 0), ', ' + stamp if stamp else ''),
            {'d': rows}, out)


# ------------------------------------------------------------------- plots
def gnuplot(script, data, out):
    with tempfile.TemporaryDirectory() as d:
        files = {}
        for name, rows in data.items():
            fn = os.path.join(d, name + '.dat')
            with open(fn, 'w') as f:
                for row in rows:
                    # a label with spaces is one column when quoted
                    f.write(' '.join('"%s"' % x if isinstance(x, str) and
                                     ' ' in x else str(x) for x in row) +
                            '\n')
            files[name] = fn
        s = ('set terminal pngcairo noenhanced size 800,450 font "sans,10"\n'
             'set output "%s"\n' % out) + script.format(**files)
        r = subprocess.run(['gnuplot'], input=s, text=True,
                           capture_output=True)
        if r.returncode != 0:
            print('report: gnuplot for %s: %s' % (out, r.stderr.strip()),
                  file=sys.stderr)


HIST = ('set style data histogram\nset style histogram cluster gap 1\n'
        'set style fill solid 0.8 border -1\nset boxwidth 0.9\n'
        'set grid ytics\nset key top left\nset yrange [0:*]\n')


def plots(res, d, stamp):
    os.makedirs(d, exist_ok=True)
    s1 = res.get('series1')
    if s1 and s1.get('builds'):
        names = list(s1['builds'])
        ws = sorted({int(w) for x in s1['builds'].values()
                     for w in x['workers']})
        cols = []  # (title, [value per run], median)
        for b in names:
            x = s1['builds'][b]
            tag = ' (%s)' % b if len(names) > 1 else ''
            cols.append(('synack, 1 worker' + tag,
                         [r['synack_mpps'] for r in x['runs']],
                         x['synack_mpps_median']))
            if x.get('ipv6'):
                cols.append(('synack IPv6, 1 worker' + tag,
                             [r['synack_mpps'] for r in x['ipv6']['runs']],
                             x['ipv6']['synack_mpps_median']))
            for w in ws:
                y = x['workers'].get(str(w))
                if y:
                    cols.append(('synack, %d workers, per worker%s' % (w, tag),
                                 [r['per_worker_mpps'] for r in y['runs']],
                                 y['per_worker_mpps_median']))
        cols.append(('testpmd macswap', s1['testpmd_runs'],
                     s1['testpmd_mpps_median']))
        nrun = max(len(c[1]) for c in cols)
        rows = [['run%d' % (j + 1)] + [(c[1][j] if j < len(c[1]) else 0) or 0
                                      for c in cols] for j in range(nrun)]
        rows.append(['median'] + [c[2] or 0 for c in cols])
        plot = ', '.join('"{d}" using %d%s title "%s"' % (
            i + 2, ':xtic(1)' if i == 0 else '', c[0])
            for i, c in enumerate(cols))
        ratios = ', '.join('%s%s' % (
            fmt(s1['builds'][b]['ratio_median_of_runs'], '%.3f'),
            ' (%s)' % b if len(names) > 1 else '') for b in names)
        gnuplot(HIST + 'set title "Series 1: SYN -> SYN-ACK, net_pcap '
                'infinite_rx (%s)\\nsynack / testpmd, median of per-run '
                'ratios: %s"\nset ylabel "Mpps"\nset key below\n'
                'plot %s\n' % (stamp, ratios, plot),
                {'d': rows}, os.path.join(d, 'bench-s1-synack-mpps.png'))
    s2 = res.get('series2')
    if s2 and 'syn' in s2:
        fns = [fn for fn, _ in s2['syn']['top_functions_ir_per_packet']]
        if 'ack' in s2:
            for fn, _ in s2['ack']['top_functions_ir_per_packet']:
                if fn not in fns:
                    fns.append(fn)
        syn = dict(s2['syn']['top_functions_ir_per_packet'])
        ack = dict(s2.get('ack', {}).get('top_functions_ir_per_packet', []))
        rows = [[fn, syn.get(fn, 0), ack.get(fn, 0)] for fn in fns[:14]]
        gnuplot(HIST + 'set title "Series 2: instructions per packet by '
                'function (callgrind; SYN %s Ir, cookie ACK %s Ir)"\n'
                'set ylabel "Ir per packet (self)"\nset xtics rotate by -40\n'
                'set bmargin 7\nset key top right\n'
                'plot "{d}" using 2:xtic(1) title "SYN -> SYN-ACK", '
                '"" using 3 title "ACK (cookie check) -> ESTABLISHED"\n'
                % (s2['syn']['ir_per_packet'],
                   s2.get('ack', {}).get('ir_per_packet', '-')),
                {'d': rows}, os.path.join(d, 'bench-s2-callgrind.png'))
    blds2 = (s2 or {}).get('builds') or {}
    if len(blds2) > 1:
        # before / after: Ir per packet of each kind, a bar per build; the
        # targets as a line of points
        names = list(blds2)
        kinds = [(k, t) for k, t in (('syn', 'SYN'), ('ack', 'cookie ACK'),
                                     ('syn_offload', 'SYN, offload'),
                                     ('ack_offload', 'cookie ACK, offload'))
                 if any(k in blds2[b] for b in names)]
        rows = [[t] +
                [blds2[b].get(k, {}).get('ir_per_packet', 0) for b in names]
                for k, t in kinds]
        plot = ', '.join('"{d}" using %d%s title "%s"' % (
            i + 2, ':xtic(1)' if i == 0 else '', b)
            for i, b in enumerate(names))
        gnuplot(HIST + 'set title "Series 2: instructions per packet, '
                'builds %s (callgrind; targets: SYN <= 400, ACK <= 500)"\n'
                'set ylabel "Ir per packet"\nset key top right\n'
                'plot %s\n' % (' vs '.join(names), plot),
                {'d': rows}, os.path.join(d, 'bench-s2-before-after.png'))
        # the profile of the SYN, build by build: the union of their top
        # functions
        for k, t in (('syn', 'SYN -> SYN-ACK'), ('ack', 'cookie ACK')):
            pr = profile_rows(blds2, k)[:-2]
            if not pr:
                continue
            rows = [[r[0].strip('`')] + [float(v) if v not in ('', '-') else 0
                                         for v in r[1:]] for r in pr]
            gnuplot(HIST + 'set title "Series 2: %s, Ir per packet by '
                    'function (self), %s"\nset ylabel "Ir per packet '
                    '(self)"\nset xtics rotate by -40\nset bmargin 8\n'
                    'set rmargin 10\n'
                    'set key top right\nplot %s\n' % (
                        t, ' vs '.join(names), plot),
                    {'d': rows},
                    os.path.join(d, 'bench-s2-profile-%s.png' % k))
    h = (res.get('series7') or {}).get('wire_hold')
    if h and h['steps']:
        rows = [['try %d: %d K%s' % (x['step'], x['offered_cps'] // 1000,
                                    '' if x['clean'] else ', not clean'),
                 x['offered_cps'] / 1e3, (x.get('achieved_cps') or 0) / 1e3]
                for x in h['steps']]
        gnuplot(HIST + 'set title "Series 7: fixed rates over net_memif, %s s '
                'each; held clean: %s CPS (target %d K, reference %d K)"\n'
                'set ylabel "thousand connections per second"\n'
                'set xtics rotate by -30\nset bmargin 6\n'
                'plot "{d}" using 2:xtic(1) title "offered", '
                '"" using 3 title "achieved"\n' % (
                    h['hold_s'], fmt(h['best_held_cps'], '%.0f'),
                    TARGET_HELD_CPS // 1000, REF_CLEAN_CPS // 1000),
                {'d': rows}, os.path.join(d, 'bench-s7-hold.png'))
    s3 = res.get('series3')
    if s3:
        rows = [[ph.replace('_', '-'), s3[ph + '_ns_per_packet']]
                for ph in ('syn', 'ack', 'fin', 'last_ack')]
        gnuplot(HIST + 'set title "Series 3: cost per segment of a full '
                'handshake, one lcore (%d est./s, %d closes/s)"\n'
                'set ylabel "ns per segment"\nset key off\n'
                'plot "{d}" using 2:xtic(1) title "ns"\n'
                % (s3['handshakes_per_s'], s3['closes_per_s']),
                {'d': rows}, os.path.join(d, 'bench-s3-handshake.png'))
    s4 = res.get('series4')
    if s4 and s4['points']:
        rows = [[p['flows'], p['establish_mpps'], p['lookup_mpps']]
                for p in s4['points']]
        gnuplot('set title "Series 4: table scaling, one lcore"\n'
                'set logscale x 2\nset xlabel "live flows"\n'
                'set ylabel "Mpps"\nset grid\nset yrange [0:*]\n'
                'set key bottom left\n'
                'plot "{d}" using 1:2 with linespoints lw 2 title '
                '"establish (cookie ACK -> flow)", "" using 1:3 with '
                'linespoints lw 2 title "lookup (pure ACK to a flow)"\n',
                {'d': rows}, os.path.join(d, 'bench-s4-scaling.png'))
    s5 = res.get('series5')
    if s5 and s5.get('kernel_synack_pps_median'):
        rows = [['kernel', (s5['kernel_synack_pps_median'] or 0) / 1e3,
                 (s5['kernel_offered_pps_median'] or 0) / 1e3],
                ['synack', (s5['synack_synack_pps_median'] or 0) / 1e3,
                 (s5['synack_offered_pps_median'] or 0) / 1e3]]
        gnuplot(HIST + 'set title "Series 5: veth + tcpreplay, SYN-ACKs/s '
                '(median of runs)"\nset ylabel "thousand per second"\n'
                'plot "{d}" using 2:xtic(1) title "SYN-ACKs/s", '
                '"" using 3 title "SYNs offered/s (tcpreplay)"\n',
                {'d': rows}, os.path.join(d, 'bench-s5-kernel.png'))
    s8 = res.get('series8')
    if s8:
        soak_plot(s8, os.path.join(d, 'bench-s8-soak.png'), stamp)


# ------------------------------------------------------------------- table
def fmt(x, spec='%.2f'):
    return '-' if x is None else spec % x


def num(x):
    """A count or a rate with thousands separators."""
    return '-' if x is None else '{:,.0f}'.format(x)


def table_rows(res):
    """(series / measure, result, target) rows: the printed table and the
    summary table of docs/benchmarks.md."""
    rows = []
    s1 = res.get('series1')
    if s1:
        blds = s1.get('builds') or {}
        many = len(blds) > 1
        for b, x in blds.items():
            tag = ' [%s]' % b if many else ''
            rows.append(('1 SYN->SYN-ACK synack, 1 worker (Mpps)%s' % tag,
                         fmt(x['synack_mpps_median']), '>= 14.88'))
            rows.append(('1 ratio synack/testpmd (median of runs)%s' % tag,
                         '%s (%s)' % (fmt(x['ratio_median_of_runs'], '%.3f'),
                                      '-'.join(fmt(v, '%.3f') for v in
                                               x['ratio_range'] or [])),
                         '>= 0.5 (stretch 0.7)'))
            v6 = x.get('ipv6')
            if v6:
                rows.append(('1 SYN->SYN-ACK synack IPv6, 1 worker (Mpps)%s'
                             % tag, fmt(v6['synack_mpps_median']), ''))
                rows.append(('1 ratio synack IPv6/testpmd (median of runs)%s'
                             % tag, '%s (%s)' % (
                                 fmt(v6['ratio_median_of_runs'], '%.3f'),
                                 '-'.join(fmt(v, '%.3f') for v in
                                          v6['ratio_range'] or [])), ''))
                rows.append(('1 rate IPv6 / IPv4, same round (median of '
                             'runs)%s' % tag,
                             fmt(v6['v6_vs_v4_median_of_runs'], '%.3f'), ''))
            for w, y in sorted(x['workers'].items(), key=lambda kv: int(kv[0])):
                rows.append(('1 %s workers: Mpps in all / per worker%s' % (w, tag),
                             '%s / %s' % (fmt(y['mpps_median']),
                                          fmt(y['per_worker_mpps_median'])),
                             ''))
        rows.append(('1 testpmd macswap (Mpps)',
                     fmt(s1['testpmd_mpps_median']), ''))
        for k, v in (s1.get('compare') or {}).items():
            rows.append(('1 1-worker rate %s (median of runs)' %
                         k.replace('_vs_', ' / '),
                         fmt(v['speedup_median'], '%.3f'), ''))
    s2 = res.get('series2')
    if s2:
        blds = s2.get('builds') or {'new': s2}
        many = len(blds) > 1
        for b, x in blds.items():
            tag = ' [%s]' % b if many else ''
            if 'syn' in x:
                rows.append(('2 instructions per SYN->SYN-ACK%s' % tag,
                             fmt(x['syn']['ir_per_packet'], '%.0f'), '<= 400'))
            if 'ack' in x:
                rows.append(('2 instructions per cookie ACK->flow%s' % tag,
                             fmt(x['ack']['ir_per_packet'], '%.0f'), '<= 500'))
            if 'syn_offload' in x:
                rows.append(('2 same, checksum offload: SYN / ACK%s' % tag,
                             '%s / %s' % (
                                 fmt(x['syn_offload']['ir_per_packet'], '%.0f'),
                                 fmt(x.get('ack_offload', {}).get(
                                     'ir_per_packet'), '%.0f')), ''))
            if 'syn6' in x:
                rows.append(('2 instructions per SYN->SYN-ACK, IPv6%s' % tag,
                             fmt(x['syn6']['ir_per_packet'], '%.0f'), ''))
            if 'ack6' in x:
                rows.append(('2 instructions per cookie ACK->flow, IPv6%s'
                             % tag, fmt(x['ack6']['ir_per_packet'], '%.0f'),
                             ''))
            if 'syn6_offload' in x:
                rows.append(('2 same, checksum offload, IPv6: SYN / ACK%s'
                             % tag, '%s / %s' % (
                                 fmt(x['syn6_offload']['ir_per_packet'],
                                     '%.0f'),
                                 fmt(x.get('ack6_offload', {}).get(
                                     'ir_per_packet'), '%.0f')), ''))
    s3 = res.get('series3')
    if s3:
        rows.append(('3 handshakes/s (SYN+ACK)',
                     num(s3['handshakes_per_s']), ''))
        rows.append(('3 closes/s (FIN+last ACK)',
                     num(s3['closes_per_s']), ''))
        rows.append(('3 ns per SYN/ACK/FIN/last ACK', '/'.join(
            fmt(s3[p + '_ns_per_packet'], '%.0f')
            for p in ('syn', 'ack', 'fin', 'last_ack')), ''))
    s4 = res.get('series4')
    if s4:
        for p in s4['points']:
            rows.append(('4 %s flows: establish/lookup Mpps, B/flow' %
                         count_name(p['flows']),
                         '%s / %s, %s' % (fmt(p['establish_mpps']),
                                          fmt(p['lookup_mpps']),
                                          fmt(p['bytes_per_flow'], '%.1f')),
                         ''))
        if 'lookup_ratio_largest_to_1k' in s4:
            rows.append(('4 lookup rate %s vs 1K' % count_name(s4['largest']),
                         fmt(s4['lookup_ratio_largest_to_1k'], '%.3f'),
                         '>= 0.5 (at 100M)'))
        if 'memory_10m' in s4:
            m = s4['memory_10m']
            rows.append(('4 bytes per flow, index counted (10M table)',
                         fmt(m['bytes_per_flow']), '<= 64'))
            rows.append(('4 memory for 10M flows (MiB)', fmt(m['mib'], '%.0f'),
                         '< 1024'))
    s5 = res.get('series5')
    if s5:
        rows.append(('5 kernel SYN-ACKs/s (veth)',
                     num(s5['kernel_synack_pps_median']), ''))
        rows.append(('5 synack SYN-ACKs/s (veth, af_packet)',
                     num(s5['synack_synack_pps_median']), ''))
        rows.append(('5 ratio synack/kernel%s' %
                     (' (sender-limited)' if s5['sender_limited'] else ''),
                     fmt(s5['ratio_synack_to_kernel'], '%.3f'), ''))
        rows.append(('5 SYNs answered kernel/synack', '%s / %s' % (
            fmt(s5['kernel_answered_median'], '%.3f'),
            fmt(s5['synack_answered_median'], '%.3f')), ''))
    s7 = res.get('series7')
    if s7:
        h = s7.get('wire_hold')
        if h:
            rows.append(('7 CPS memif, highest fixed rate held clean %s s' %
                         h['hold_s'], num(h['best_held_cps']),
                         '>= %s (reference %s)' % (num(TARGET_HELD_CPS),
                                                   num(REF_CLEAN_CPS))))
        rows.append(('7 CPS memif --cps max (ramp, best clean step)',
                     num(s7['wire_ramp']['best_clean_cps_median']),
                     'one short step, not a sustained rate'))
        rows.append(('7 CPS memif fixed N', num(
            s7['wire_fixed']['cps_median']), ''))
        rows.append(('7 CPS kernel loopback', num(
            s7['kernel_loopback']['cps_median']), ''))
        rows.append(('7 CPS synack client -> kernel (tap)', num(
            s7['client_kernel_tap']['best_clean_cps_median']), ''))
        rows.append(('7 ratio memif ramp / kernel loopback', fmt(
            s7['ratio_wire_to_kernel_loopback'], '%.1f'), ''))
    s9 = res.get('series9')
    if s9:
        names = {'direct': 'direct', 'router': 'kernel router',
                 'synproxy': 'kernel SYNPROXY',
                 'proxy-afp': 'proxy on af_packet',
                 'proxy-2arm': 'proxy, two arms',
                 'proxy-xdp': 'proxy, two arms on af_xdp',
                 'proxy-old': 'proxy, other build'}
        ch = (s9.get('chain') or {}).get('builds') or {}
        for v, label in CHAIN_VARIANTS:
            for b, xs in sorted(ch.items()):
                x = xs.get(v)
                if not x or 'connections_per_s' not in x:
                    continue
                rows.append(('9 proxied conn/s per worker, in process, %s%s'
                             % (label, '' if b == 'new' else ' (%s)' % b),
                             num(int(x['connections_per_s'])),
                             '%s ns and %s instructions a connection; %s '
                             'Mpps of frames in (%s ns, %s instructions '
                             'each)%s' % (
                                 fmt(x['ns_per_connection'], '%.0f'),
                                 fmt(x.get('ir_per_connection'), '%.0f'),
                                 fmt(x['frames_in_mpps'], '%.2f'),
                                 fmt(x['ns_per_frame_in'], '%.0f'),
                                 fmt(x.get('ir_per_frame_in'), '%.0f'),
                                 '; %d broken run(s)' % x['broken_runs']
                                 if x['broken_runs'] else '')))
        for fam, x in sorted((s9.get('memif') or {}).items()):
            rows.append(('9 proxied conn/s, three synackd over net_memif, %s'
                         % fam.replace('ipv', 'IPv'), num(x.get('cps')),
                         'proxy: %s Mpps of frames in; %d of %d runs failed%s'
                         % (fmt(x.get('proxy_rx_mpps'), '%.3f'),
                            x['failed_runs'], x['runs'],
                            '; the client and server share a CPU'
                            if x.get('shared_cpu') else '')))
        for ts, x in sorted(s9.get('cps', {}).items(), reverse=True):
            m = x.get('median_rps') or {}
            t = 'timestamps %s' % ('on' if ts == 'ts1' else 'off')
            gu = x.get('runs_given_up') or {}
            rows.append(('9 proxied conn/s, ab, %s' % t, num(m.get('proxy')),
                         'failed %s, longest %s ms%s' % (
                             (x.get('failed') or {}).get('proxy', '-'),
                             (x.get('longest_ms') or {}).get('proxy', '-'),
                             '; %d run(s) given up by ab' % gu['proxy']
                             if gu.get('proxy') else '')))
            for v, r in sorted((x.get('proxy_vs') or {}).items()):
                if v == 'proxy-old':  # a before / after
                    rows.append(('9 ratio proxy this build / other build, '
                                 '%s' % t, fmt(r, '%.3f'),
                                 'other build: %s conn/s' % num(m.get(v))))
                    continue
                rows.append(('9 ratio proxy / %s, %s' % (names.get(v, v), t),
                             fmt(r, '%.3f'), '%s: %s conn/s, longest %s ms%s' % (
                                 names.get(v, v), num(m.get(v)),
                                 (x.get('longest_ms') or {}).get(v, '-'),
                                 '; %d run(s) given up by ab (a connection '
                                 'silent 10 s)' % gu[v] if gu.get(v) else '')))
            for v, what in (('proxy-afp', 'on af_packet'),
                            ('proxy-2arm', 'two arms on af_packet veths '
                             "(the routers' topology)"),
                            ('proxy-xdp', 'two arms on af_xdp veths '
                             "(the routers' topology)")):
                r = (x.get(v.replace('-', '_') + '_vs') or {})
                if v in m:
                    rows.append(('9 proxied conn/s %s, %s' % (what, t),
                                 num(m.get(v)),
                                 'over kernel SYNPROXY %s, over the kernel '
                                 'router %s' % (fmt(r.get('synproxy'), '%.3f'),
                                                fmt(r.get('router'), '%.3f'))))
        b = s9.get('bulk') or {}
        g = b.get('median_gbit_s') or {}
        if g:
            rows.append(('9 bulk Gbit/s through the proxy, one connection',
                         fmt(g.get('proxy'), '%.2f'), ''))
            for v, r in sorted((b.get('proxy_vs') or {}).items()):
                rows.append(('9 ratio bulk proxy / %s' % names.get(v, v),
                             fmt(r, '%.3f'), '%s: %s Gbit/s' % (
                                 names.get(v, v), fmt(g.get(v), '%.2f'))))
    return rows


def count_name(n):
    for div, suf in ((10**9, 'G'), (2**30, 'Gi'), (10**6, 'M'), (2**20, 'M'),
                     (1000, 'K'), (1024, 'K')):
        if n >= div and n % div == 0:
            return '%d%s' % (n // div, suf)
    return str(n)


def table(res):
    rows = table_rows(res)
    w = max([len(r[0]) for r in rows] + [10])
    print('%-*s  %-22s %s' % (w, 'series / measure', 'result', 'target'))
    for r in rows:
        print('%-*s  %-22s %s' % (w, r[0], r[1], r[2]))
    s8 = res.get('series8')
    if s8:
        print('series 8 soak: %.0f min; RSS %s -> %s kB (slope %s kB/min); '
              'mbufs %s -> %s; legitimate %s ok / %s failed; client role %s; '
              'counters add up: %s; %s'
              % (s8.get('minutes', 0), s8.get('rss_kb_first'),
                 s8.get('rss_kb_end'), s8.get('rss_slope_kb_per_min'),
                 s8.get('mbufs_in_use_start'), s8.get('mbufs_in_use_end_live'),
                 s8.get('legit_ok'), s8.get('legit_failed'),
                 s8.get('client_role'),
                 all(a['holds'] for a in s8.get('accounting', [])),
                 'all checks held' if s8.get('ok') else
                 'FAILED: ' + '; '.join(s8.get('failures', []))))


# -------------------------------------------------- docs/benchmarks.md block
DOC_BEGIN = ('<!-- begin: generated by tests/bench/report.py (usertools/bench); '
             'edits between these lines are overwritten -->')
DOC_END = '<!-- end: generated by tests/bench/report.py -->'


def md_table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |',
           '| ' + ' | '.join('---' for _ in head) + ' |']
    for r in rows:
        out.append('| ' + ' | '.join(str(x) for x in r) + ' |')
    return out


def profile_rows(blds, k):
    """Exclusive Ir per packet by function, one column per build: each
    build's top functions (union, in the first build's order), then the
    rest, then the total."""
    names = list(blds)
    fns = []
    for b in names:
        for fn, _ in blds[b].get(k, {}).get('top_functions_ir_per_packet', []):
            if fn not in fns:
                fns.append(fn)
    per = {b: dict(blds[b].get(k, {}).get('top_functions_ir_per_packet', []))
           for b in names}
    fns.sort(key=lambda fn: -max(per[b].get(fn, 0) for b in names))
    rows = [['`%s`' % fn] + [fmt(per[b].get(fn), '%.1f') if fn in per[b]
                             else '' for b in names] for fn in fns]
    rows.append(['other functions (not in that build\'s top %d)' % PROFILE_TOP] +
                [fmt(blds[b].get(k, {}).get('other_functions_ir_per_packet'),
                     '%.1f') for b in names])
    rows.append(['**total**'] + ['**%s**' % fmt(
        blds[b].get(k, {}).get('ir_per_packet'), '%.1f') for b in names])
    return rows


def doc_block(res):
    m = res.get('machine', {})
    out = [DOC_BEGIN, '']
    blds = m.get('builds') or {}
    out.append('Run on %s (UTC), `usertools/bench` mode `%s`, commit %s '
               '(build `%s`)%s. Machine: `%s`, %s CPUs, Linux %s, DPDK %s; '
               'load average at the start %s. Series 1 memory: %s.' % (
                   m.get('date', '?'), m.get('mode', '?'),
                   m.get('commit', '?'), m.get('build_dir', '?'),
                   ''.join('; compared with build "%s" (%s, commit %s)' % (
                       b, v.get('dir'), v.get('commit') or '?')
                       for b, v in list(blds.items())[1:]),
                   m.get('cpu_model', '?'), m.get('cpus', '?'),
                   m.get('kernel', '?'), m.get('dpdk', '?'),
                   m.get('loadavg_at_start', '?'),
                   m.get('series1_memory', '?')))
    out.append('')
    out += md_table(['series / measure', 'result', 'target'],
                    [(r[0], r[1], r[2]) for r in table_rows(res)])
    s1 = res.get('series1')
    if s1:
        out += ['', '**Series 1, per run** (Mpps; the ratio is synack / '
                'testpmd of the same round):', '']
        names = list(s1['builds'])
        ws = sorted({int(w) for x in s1['builds'].values()
                     for w in x['workers']})
        head = ['run', 'testpmd']
        for b in names:
            head += ['synack %s' % b, 'ratio %s' % b]
            if s1['builds'][b].get('ipv6'):
                head += ['synack IPv6 %s' % b, 'ratio IPv6 %s' % b]
            head += ['%d workers %s (per worker)' % (w, b) for w in ws]
        rows = []
        for j, tr in enumerate(s1['testpmd_runs']):
            row = [str(j + 1), fmt(tr)]
            for b in names:
                x = s1['builds'][b]
                r = x['runs'][j] if j < len(x['runs']) else {}
                row += [fmt(r.get('synack_mpps')), fmt(r.get('ratio'), '%.3f')]
                if x.get('ipv6'):
                    y = x['ipv6']['runs']
                    y = y[j] if j < len(y) else {}
                    row += [fmt(y.get('synack_mpps')),
                            fmt(y.get('ratio'), '%.3f')]
                for w in ws:
                    y = x['workers'].get(str(w), {}).get('runs', [])
                    y = y[j] if j < len(y) else {}
                    row.append('%s (%s)' % (fmt(y.get('mpps')),
                                            fmt(y.get('per_worker_mpps'))))
            rows.append(row)
        out += md_table(head, rows)
    s2 = res.get('series2')
    if s2:
        blds2 = s2.get('builds') or {'new': s2}
        for k, title in (('syn', 'SYN -> SYN-ACK'),
                         ('ack', 'cookie-checking ACK -> flow'),
                         ('syn6', 'SYN -> SYN-ACK over IPv6'),
                         ('ack6', 'cookie-checking ACK -> flow over IPv6')):
            if not any(k in x for x in blds2.values()):
                continue
            out += ['', '**Series 2, profile of a %s** (software checksums): '
                    'exclusive instructions per packet by function, as '
                    'callgrind_annotate lists them; the top %d of each build:'
                    % (title, PROFILE_TOP), '']
            out += md_table(['function'] + ['Ir/packet, %s' % b for b in blds2],
                            profile_rows(blds2, k))
    s4 = res.get('series4')
    if s4 and s4['points']:
        out += ['', '**Series 4, per table size** (one worker; bytes per '
                'flow: the whole table, index included, over N):', '']
        out += md_table(['flows', 'establish Mpps', 'lookup Mpps',
                         'lookup ns', 'table bytes', 'bytes per flow',
                         'table-full RSTs'],
                        [[count_name(p['flows']), fmt(p['establish_mpps']),
                          fmt(p['lookup_mpps']), fmt(p['lookup_ns'], '%.1f'),
                          '{:,}'.format(p['table_bytes']),
                          fmt(p['bytes_per_flow']), p['table_full_rsts']]
                         for p in s4['points']])
    s7 = res.get('series7')
    h = s7 and s7.get('wire_hold')
    if h:
        out += ['', '**Series 7, the fixed-rate search** (%s s a try, %s in '
                'flight at most; load average before it %s)%s:' % (
                    h['hold_s'], h['concurrency'], h.get('loadavg') or '?',
                    ' -- SHORT TRIES (--quick): not the 10 s figure'
                    if h['hold_s'] and h['hold_s'] < 10 else ''), '']
        out += md_table(['try', 'offered CPS', 'achieved CPS', 'attempted',
                         'failed', 'SYN retx', 'p99 us', 'clean'],
                        [[x['step'], num(x['offered_cps']),
                          num(x.get('achieved_cps')),
                          num(x.get('attempted')), x.get('failed', '-'),
                          x.get('syn_retx', '-'), x.get('p99_us', '-'),
                          'yes' if x['clean'] else
                          'no: ' + '; '.join(x['why_not'])]
                         for x in h['steps']])
    # the plots only some runs draw (the others are in their sections)
    imgs = []
    if len((s2 or {}).get('builds') or {}) > 1:
        imgs += [('series 2, before / after', 'bench-s2-before-after.png'),
                 ('series 2, SYN profile by build', 'bench-s2-profile-syn.png'),
                 ('series 2, ACK profile by build', 'bench-s2-profile-ack.png')]
    if h and h['steps']:
        imgs.append(('series 7, fixed-rate tries', 'bench-s7-hold.png'))
    if imgs:
        out.append('')
        out += ['![%s](img/%s)' % x for x in imgs]
    out += ['', DOC_END]
    return '\n'.join(out)


def write_doc(res, path):
    """Replace the generated block of @p path (between DOC_BEGIN and
    DOC_END); the rest of the file is hand-written and left alone."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        print('report: %s: %s' % (path, e), file=sys.stderr)
        return False
    a, b = text.find(DOC_BEGIN), text.find(DOC_END)
    if a < 0 or b < a:
        print('report: %s has no generated block (%s ... %s): not written'
              % (path, DOC_BEGIN, DOC_END), file=sys.stderr)
        return False
    text = text[:a] + doc_block(res) + text[b + len(DOC_END):]
    with open(path, 'w') as f:
        f.write(text)
    return True


def main():
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == '--series7':
        s7 = series7(args[1])
        if s7:
            series7_summary(s7)
        return 0
    if len(args) == 3 and args[0] == '--s7-judge':
        # usertools/bench's fixed-rate search: one try
        ok, why, _ = hold_judge(read_text(args[1]), int(args[2]))
        print('clean' if ok else 'not clean: ' + '; '.join(why))
        return 0
    if len(args) == 2 and args[0] == '--s7-start':
        r = series7_start(args[1])
        if r:
            print(r)
        return 0
    if len(args) == 3 and args[0] == '--soak-plot':
        s8 = series8(args[1])
        if not s8:
            print('report: no s8-soak.json in %s' % args[1], file=sys.stderr)
            return 1
        soak_plot(s8, args[2])
        return 0
    if len(args) < 2 or args[0].startswith('-'):
        print(__doc__, file=sys.stderr)
        return 2
    raw, out = args[0], args[1]
    plotdir = doc = None
    if '--plots' in args:
        plotdir = args[args.index('--plots') + 1]
    if '--doc' in args:
        doc = args[args.index('--doc') + 1]
    res = {'machine': load_json(os.path.join(raw, 'meta.json')) or {}}
    for name, fn in (('series1', series1), ('series2', series2),
                     ('series3', series3), ('series4', series4),
                     ('series5', series5), ('series7', series7),
                     ('series8', series8), ('series9', series9)):
        try:
            r = fn(raw)
        except Exception as e:  # a broken log must not hide the others
            print('report: %s: %s' % (name, e), file=sys.stderr)
            r = None
        if r is not None:
            res[name] = r
    with open(out, 'w') as f:
        json.dump(res, f, indent=2)
        f.write('\n')
    table(res)
    if plotdir:
        if shutil.which('gnuplot'):
            m = res['machine']
            stamp = '%s, %s vCPU, %s' % (
                m.get('cpu_model', '?'), m.get('cpus', '?'),
                m.get('date', '?')[:10])
            plots(res, plotdir, stamp)
        else:
            print('report: gnuplot not installed: no plots', file=sys.stderr)
    if doc and write_doc(res, doc):
        print('report: wrote the generated block of %s' % doc)
    return 0


if __name__ == '__main__':
    sys.exit(main())
