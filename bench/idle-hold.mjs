// bench/idle-hold.mjs PLAIN_PORT TLS_PORT N_PLAIN N_TLS PID: opens N_PLAIN
// plain and N_TLS TLS keep-alive connections (one GET /healthz each, then
// idle) from 127.0.1.x-127.0.3.x, 50 per address, and holds them; all the
// while a probe asks GET /healthz on a new plain connection from 127.0.0.250
// every 20 ms. Prints the probe's latencies (while opening and while
// holding), how many held connections the server closed, and the server's
// RSS (from /proc/PID/status) once all are open. Node built-ins only.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const [plainPort, tlsPort, nPlain, nTls, pid] = process.argv.slice(2)
    .map(Number);
const REQ = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let closedByServer = 0, failedOpen = 0;

const addr = (i) => `127.0.${1 + Math.floor(i / 50 / 250)}.` +
    `${1 + (Math.floor(i / 50) % 250)}`;

/* Resolves once the socket got its answer; counts a later close. */
function hold(sock, useTls) {
	return new Promise((resolve) => {
		let data = '', answered = false;
		const done = (ok) => {
			if (!answered) {
				answered = true;
				if (!ok)
					failedOpen++;
				resolve();
			} else {
				closedByServer++;
			}
		};
		sock.on(useTls ? 'secureConnect' : 'connect',
		    () => sock.write(REQ));
		sock.on('data', (c) => {
			data += c;
			if (!answered && /\r\n\r\nok\n?$/.test(data))
				done(true);
		});
		sock.on('error', () => done(false));
		sock.on('close', () => done(false));
		setTimeout(() => done(false), 30000).unref();
	});
}

async function openAll(n, useTls, offset) {
	for (let i = 0; i < n; i += 100) {
		const batch = [];
		for (let j = i; j < Math.min(n, i + 100); j++) {
			const localAddress = addr(offset + j);
			batch.push(hold(useTls
			    ? tls.connect({ host: '127.0.0.1', port: tlsPort,
				localAddress, rejectUnauthorized: false,
				maxVersion: 'TLSv1.2' })
			    : net.connect({ host: '127.0.0.1', port: plainPort,
				localAddress }), useTls));
		}
		await Promise.all(batch);
	}
}

/* One probe: ms until the answer, or Infinity. */
function probe() {
	return new Promise((resolve) => {
		const t0 = process.hrtime.bigint();
		const s = net.connect({ host: '127.0.0.1', port: plainPort,
		    localAddress: '127.0.0.250' });
		let data = '';
		const end = (ms) => { s.destroy(); resolve(ms); };
		const timer = setTimeout(() => end(Infinity), 5000);
		s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\n' +
		    'Host: 127.0.0.1\r\nConnection: close\r\n\r\n'));
		s.on('data', (c) => {
			data += c;
			if (/ 200 [\s\S]*\r\n\r\nok\n?$/.test(data)) {
				clearTimeout(timer);
				end(Number(process.hrtime.bigint() - t0) / 1e6);
			}
		});
		s.on('error', () => { clearTimeout(timer); end(Infinity); });
	});
}

const phases = { opening: [], holding: [] };
let phase = 'opening', probing = true;
const prober = (async () => {
	while (probing) {
		phases[phase].push(await probe());
		await sleep(20);
	}
})();

function stats(name, v) {
	const s = [...v].sort((a, b) => a - b);
	const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
	const slow = s.filter((x) => x >= 100).length;
	console.log(`probe ${name}: n=${s.length} p50=${q(0.5)?.toFixed(1)}ms ` +
	    `p99=${q(0.99)?.toFixed(1)}ms max=${s.at(-1)?.toFixed(1)}ms ` +
	    `>=100ms: ${slow}`);
}

const t0 = Date.now();
await openAll(nPlain, false, 0);
await openAll(nTls, true, nPlain);
console.log(`opened ${nPlain} plain + ${nTls} TLS in ` +
    `${((Date.now() - t0) / 1000).toFixed(1)} s, ${failedOpen} failed`);
phase = 'holding';
await sleep(1000);
const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`,
    'utf8'))[1];
console.log(`server RSS with all held: ${(rss / 1024).toFixed(1)} MiB`);
await sleep(9000);
probing = false;
await prober;
stats('while opening', phases.opening);
stats('while holding', phases.holding);
console.log(`held connections closed by the server: ${closedByServer}`);
process.exit(0);
