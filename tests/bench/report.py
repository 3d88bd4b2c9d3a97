#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Collect usertools/bench's raw logs into results.json, print a table and
draw the plots (gnuplot). Usage: report.py RAW_DIR RESULTS_JSON [--plots DIR]
or report.py --series7 RAW_DIR (series 7's summary block alone).

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


def series1(raw):
    s = sorted(glob.glob(os.path.join(raw, 's1-synack-*.log')), key=run_index)
    t = sorted(glob.glob(os.path.join(raw, 's1-testpmd-*.log')), key=run_index)
    if not s and not t:
        return None
    runs = []
    for i in sorted({run_index(p) for p in s + t}):
        sp = os.path.join(raw, 's1-synack-%d.log' % i)
        tp = os.path.join(raw, 's1-testpmd-%d.log' % i)
        sr = synackd_rate(sp) if os.path.exists(sp) else None
        tr = testpmd_rate(tp) if os.path.exists(tp) else None
        runs.append({'run': i,
                     'synack_mpps': round(sr / 1e6, 3) if sr else None,
                     'testpmd_mpps': round(tr / 1e6, 3) if tr else None,
                     'ratio': round(sr / tr, 3) if sr and tr else None})
    sm = median([r['synack_mpps'] for r in runs])
    tm = median([r['testpmd_mpps'] for r in runs])
    return {
        'what': 'SYN -> SYN-ACK on one worker lcore, net_pcap infinite_rx '
                '(65,536 distinct SYNs), TX dropped; testpmd macswap on the '
                'same device and file',
        'runs': runs,
        'synack_mpps_median': sm,
        'testpmd_mpps_median': tm,
        'ratio': round(sm / tm, 3) if sm and tm else None,
        'ratio_median_of_runs': median([r['ratio'] for r in runs]),
        'target_mpps': LINE_RATE_10G,
        'target_ratio': 0.5,
    }


# ------------------------------------------------------------------ series 2
def callgrind_total(path):
    with open(path, errors='replace') as f:
        for line in f:
            if line.startswith(('totals:', 'summary:')):
                return int(line.split()[1])
    return None


def callgrind_top(path, n=12):
    """(function, Ir) from callgrind_annotate's text output."""
    out = []
    try:
        with open(path, errors='replace') as f:
            text = f.read()
    except OSError:
        return out
    for line in text.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\([\s\d.]+%\)\s+(\S+)', line)
        if m and 'PROGRAM TOTALS' not in line:
            fn = m.group(2).split(':')[-1]
            out.append((fn, int(m.group(1).replace(',', ''))))
    return out[:n]


def series2(raw):
    res = {}
    for k, wrap in (('syn', 'sk_engine_input'), ('ack', 'bench_in_ack'),
                    ('syn_offload', 'sk_engine_input'),
                    ('ack_offload', 'bench_in_ack')):
        cg = os.path.join(raw, 'callgrind.%s.out' % k)
        js = load_json(os.path.join(raw, 's2-%s.json' % k))
        if not os.path.exists(cg) or not js:
            continue
        pk = js[k.split('_')[0]]['packets']
        ir = callgrind_total(cg)
        if not ir or not pk:
            continue
        top = callgrind_top(os.path.join(raw, 'callgrind.%s.txt' % k))
        res[k] = {
            'collected': wrap,
            'packets': pk,
            'ir_total': ir,
            'ir_per_packet': round(ir / pk, 1),
            'top_functions_ir_per_packet':
                [[fn, round(v / pk, 1)] for fn, v in top],
        }
    if not res:
        return None
    res['what'] = ('valgrind --tool=callgrind instructions (Ir) inside '
                   'sk_engine_input per packet, bursts of 32, no checksum '
                   'offload: syn = SYN -> SYN-ACK, ack = ACK with a valid '
                   'cookie -> new ESTABLISHED flow (cookie check + insert); '
                   '*_offload: the same with RX/TX checksum offload claimed '
                   '(as on a physical NIC)')
    res['target_ir_per_syn'] = 300
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
            'bytes_per_flow': round(j['table_bytes'] / j['flows'], 2),
        })
    pts.sort(key=lambda p: p['flows'])
    mem = load_json(os.path.join(raw, 's4-memory.json'))
    if not pts and not mem:
        return None
    out = {'what': 'table of capacity N filled with N flows (cookie ACKs; '
                   'establish rate over the fill), then pure ACKs to them '
                   'in random order (lookup rate)',
           'points': pts}
    if mem:
        out['memory_10m'] = {
            'flows': mem['capacity'], 'bytes': mem['bytes'],
            'mib': round(mem['bytes'] / 2**20, 1),
            'bytes_per_flow': mem['bytes_per_flow'],
            'entry_bytes': mem['entry_bytes']}
    if len(pts) >= 2 and pts[0]['flows'] <= 1024:
        out['lookup_ratio_largest_to_1k'] = round(
            pts[-1]['lookup_mpps'] / pts[0]['lookup_mpps'], 3)
        out['largest'] = pts[-1]['flows']
    out['targets'] = {'bytes_per_flow_max': 64, 'mem_10m_max_bytes': 2**30,
                      'lookup_16m_vs_1k_min': 0.5}
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


def series5(raw):
    ks = sorted(glob.glob(os.path.join(raw, 's5-kernel-*.json')),
                key=run_index)
    if not ks:
        return None
    runs = []
    for p in ks:
        i = run_index(p)
        k = load_json(p) or {}
        ki = tcpreplay_info(os.path.join(raw, 's5-kernel-%d-tcpreplay.log' % i))
        si = tcpreplay_info(os.path.join(raw, 's5-synack-%d-tcpreplay.log' % i))
        r = {'run': i}
        if k.get('seconds') and ki.get('seconds'):
            r['kernel_synacks'] = k['syncookies_sent']
            r['kernel_offered_pps'] = ki.get('pps')
            # over tcpreplay's own sending time: all SYN-ACKs go out
            # within it (veth delivers synchronously)
            r['kernel_synack_pps'] = k['syncookies_sent'] / ki['seconds']
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
# The reference: a well-known DPDK CPS tester, one client and one
# server lcore over net_memif (rings of 4096) on a 2-vCPU machine.
REF_CLEAN_CPS = 650000
REF_COLLAPSE_CPS = 800000


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
    if not (ramp or fixed or kern or ck):
        return None
    # the ramp's figure counts only from runs whose checks all held
    rm = median([r.get('best_clean_cps') for r in ramp if r.get('checks_ok')])
    km = median([r['cps'] for r in kern])
    cm = median([r.get('best_clean_cps') for r in ck if r.get('agree')])
    fm = median([r['cps'] for r in fixed if r['checks_ok']])
    return {
        'what': 'connections per second: (a) synackd client -> synackd '
                'server over net_memif, --cps max ramp, 1-byte echo, and a '
                'fixed N of hello connections; (b) the kernel on loopback, '
                'epoll server + connect/close client, one CPU each; (c) '
                'synackd client -> kernel over net_tap, --cps max',
        'wire_ramp': {'runs': ramp, 'best_clean_cps_median': rm,
                      'clean_runs': sum(1 for r in ramp if r.get('checks_ok'))},
        'wire_fixed': {'runs': fixed, 'cps_median': fm},
        'kernel_loopback': {'runs': kern, 'cps_median': km},
        'client_kernel_tap': {'runs': ck, 'best_clean_cps_median': cm},
        'ratio_wire_to_kernel_loopback': round(rm / km, 1) if rm and km else None,
        'ratio_client_kernel_to_kernel_loopback':
            round(cm / km, 2) if cm and km else None,
        'reference': {'clean_cps': REF_CLEAN_CPS,
                      'collapse_above_cps': REF_COLLAPSE_CPS},
        'ratio_wire_to_reference': round(rm / REF_CLEAN_CPS, 2) if rm else None,
    }


def series7_summary(s7):
    """The block usertools/bench prints after series 7."""
    def runs(xs, key):
        return ', '.join('-' if x.get(key) is None else '%.0f' % x[key]
                         for x in xs) or '-'
    r, f = s7['wire_ramp'], s7['wire_fixed']
    k, c = s7['kernel_loopback'], s7['client_kernel_tap']
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
    print('  ratios: (a)/(b) %s, (c)/(b) %s, (a)/reference (650 K clean) %s' % (
        fmt(s7['ratio_wire_to_kernel_loopback'], '%.1f'),
        fmt(s7['ratio_client_kernel_to_kernel_loopback'], '%.2f'),
        fmt(s7['ratio_wire_to_reference'], '%.2f')))


# ------------------------------------------------------------------- plots
def gnuplot(script, data, out):
    with tempfile.TemporaryDirectory() as d:
        files = {}
        for name, rows in data.items():
            fn = os.path.join(d, name + '.dat')
            with open(fn, 'w') as f:
                for row in rows:
                    f.write(' '.join(str(x) for x in row) + '\n')
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
    if s1:
        rows = [['run%d' % r['run'], r['synack_mpps'] or 0,
                 r['testpmd_mpps'] or 0] for r in s1['runs']]
        rows.append(['median', s1['synack_mpps_median'] or 0,
                     s1['testpmd_mpps_median'] or 0])
        gnuplot(HIST + 'set title "Series 1: SYN -> SYN-ACK, one lcore, '
                'net_pcap infinite_rx (%s)"\nset ylabel "Mpps"\n'
                'plot "{d}" using 2:xtic(1) title "synack", '
                '"" using 3 title "testpmd macswap"\n' % stamp,
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


# ------------------------------------------------------------------- table
def fmt(x, spec='%.2f'):
    return '-' if x is None else spec % x


def table(res):
    rows = []
    s1 = res.get('series1')
    if s1:
        rows.append(('1 SYN->SYN-ACK synack (Mpps)',
                     fmt(s1['synack_mpps_median']), '>= 14.88'))
        rows.append(('1 testpmd macswap (Mpps)',
                     fmt(s1['testpmd_mpps_median']), ''))
        rows.append(('1 ratio synack/testpmd (of medians)',
                     fmt(s1['ratio'], '%.3f'), '>= 0.5'))
        rows.append(('1 ratio synack/testpmd (median of runs)',
                     fmt(s1['ratio_median_of_runs'], '%.3f'), '>= 0.5'))
    s2 = res.get('series2')
    if s2:
        if 'syn' in s2:
            rows.append(('2 instructions per SYN->SYN-ACK',
                         fmt(s2['syn']['ir_per_packet'], '%.0f'), '< 300'))
        if 'ack' in s2:
            rows.append(('2 instructions per cookie ACK->flow',
                         fmt(s2['ack']['ir_per_packet'], '%.0f'), ''))
        if 'syn_offload' in s2:
            rows.append(('2 same, checksum offload: SYN / ACK', '%s / %s' % (
                fmt(s2['syn_offload']['ir_per_packet'], '%.0f'),
                fmt(s2.get('ack_offload', {}).get('ir_per_packet'), '%.0f')),
                '< 300'))
    s3 = res.get('series3')
    if s3:
        rows.append(('3 handshakes/s (SYN+ACK)',
                     fmt(s3['handshakes_per_s'], '%.0f'), ''))
        rows.append(('3 closes/s (FIN+last ACK)',
                     fmt(s3['closes_per_s'], '%.0f'), ''))
        rows.append(('3 ns per SYN/ACK/FIN/last ACK', '/'.join(
            fmt(s3[p + '_ns_per_packet'], '%.0f')
            for p in ('syn', 'ack', 'fin', 'last_ack')), ''))
    s4 = res.get('series4')
    if s4:
        for p in s4['points']:
            rows.append(('4 %d flows: establish/lookup Mpps' % p['flows'],
                         '%s / %s' % (fmt(p['establish_mpps']),
                                      fmt(p['lookup_mpps'])), ''))
        if 'lookup_ratio_largest_to_1k' in s4:
            rows.append(('4 lookup rate %d vs 1K' % s4['largest'],
                         fmt(s4['lookup_ratio_largest_to_1k'], '%.3f'),
                         '>= 0.5'))
        if 'memory_10m' in s4:
            m = s4['memory_10m']
            rows.append(('4 bytes per flow (10M table)',
                         fmt(m['bytes_per_flow']), '<= 64'))
            rows.append(('4 memory for 10M flows (MiB)', fmt(m['mib'], '%.0f'),
                         '< 1024'))
    s5 = res.get('series5')
    if s5:
        rows.append(('5 kernel SYN-ACKs/s (veth)',
                     fmt(s5['kernel_synack_pps_median'], '%.0f'), ''))
        rows.append(('5 synack SYN-ACKs/s (veth, af_packet)',
                     fmt(s5['synack_synack_pps_median'], '%.0f'), ''))
        rows.append(('5 ratio synack/kernel%s' %
                     (' (sender-limited)' if s5['sender_limited'] else ''),
                     fmt(s5['ratio_synack_to_kernel'], '%.3f'), ''))
        rows.append(('5 SYNs answered kernel/synack', '%s / %s' % (
            fmt(s5['kernel_answered_median'], '%.3f'),
            fmt(s5['synack_answered_median'], '%.3f')), ''))
    s7 = res.get('series7')
    if s7:
        rows.append(('7 CPS memif --cps max (best clean)',
                     fmt(s7['wire_ramp']['best_clean_cps_median'], '%.0f'),
                     '> %d' % REF_CLEAN_CPS))
        rows.append(('7 CPS memif fixed N', fmt(
            s7['wire_fixed']['cps_median'], '%.0f'), ''))
        rows.append(('7 CPS kernel loopback', fmt(
            s7['kernel_loopback']['cps_median'], '%.0f'), ''))
        rows.append(('7 CPS synack client -> kernel (tap)', fmt(
            s7['client_kernel_tap']['best_clean_cps_median'], '%.0f'), ''))
        rows.append(('7 ratio memif / kernel loopback', fmt(
            s7['ratio_wire_to_kernel_loopback'], '%.1f'), ''))
    w = max([len(r[0]) for r in rows] + [10])
    print('%-*s  %-22s %s' % (w, 'series / measure', 'result', 'target'))
    for r in rows:
        print('%-*s  %-22s %s' % (w, r[0], r[1], r[2]))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == '--series7':
        s7 = series7(sys.argv[2])
        if s7:
            series7_summary(s7)
        return 0
    raw, out = sys.argv[1], sys.argv[2]
    plotdir = None
    if '--plots' in sys.argv:
        plotdir = sys.argv[sys.argv.index('--plots') + 1]
    res = {'machine': load_json(os.path.join(raw, 'meta.json')) or {}}
    for name, fn in (('series1', series1), ('series2', series2),
                     ('series3', series3), ('series4', series4),
                     ('series5', series5), ('series7', series7)):
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
    return 0


if __name__ == '__main__':
    sys.exit(main())
