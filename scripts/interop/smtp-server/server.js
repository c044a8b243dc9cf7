'use strict';
// Nodemailer's smtp-server as the final destination for example.test, for `make interop`.
// usage: node server.js HOST:PORT MAILDIR CERT KEY [HOSTNAME]
// alice, bob and postmaster of example.test get Maildir delivery in
// MAILDIR/<user>/{tmp,new,cur}; unknown users of example.test get 550 5.1.1 at
// RCPT, other domains 550 5.7.1 (no relaying). STARTTLS with CERT/KEY; AUTH
// PLAIN/LOGIN (alice / alice-secret) inside TLS only. No reverse lookup (no DNS here).
const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');

const [listen, maildir, certFile, keyFile, hostname = 'smtp-server.example.test'] = process.argv.slice(2);
const DOMAIN = 'example.test';
const USERS = ['alice', 'bob', 'postmaster'];
const sep = listen.lastIndexOf(':');
const host = listen.slice(0, sep);
const port = Number(listen.slice(sep + 1));
let seq = 0;

for (const u of USERS) {
	for (const sub of ['tmp', 'new', 'cur']) fs.mkdirSync(path.join(maildir, u, sub), { recursive: true });
}

function fail(code, text) {
	const e = new Error(text);
	e.responseCode = code;
	return e;
}

function split(address) {
	const at = address.lastIndexOf('@');
	return at < 0 ? [address, ''] : [address.slice(0, at), address.slice(at + 1)];
}

const server = new SMTPServer({
	name: hostname,
	banner: 'smtp-server',
	key: fs.readFileSync(keyFile),
	cert: fs.readFileSync(certFile),
	size: 10485760,
	authMethods: ['PLAIN', 'LOGIN'],
	authOptional: true,
	allowInsecureAuth: false,
	disableReverseLookup: true,
	hideENHANCEDSTATUSCODES: false,
	logger: false,
	// Limits for the load/ scenarios (scripts/interop/profiles/smtp-server.yaml):
	// at most 10 clients at once, the next one gets 421 (SEC-13; the suite runs
	// with -j 4, a few sessions at once); 25 s without input and the client is
	// dropped with 421 (SEC-12; socket inactivity, the default is 60 s), longer
	// than the suite's longest wait for a reply or a close (20 s). No
	// maxRecipients: no limit by default.
	maxClients: 10,
	socketTimeout: 25000,
	onAuth(auth, session, cb) {
		if (auth.username === 'alice' && auth.password === 'alice-secret') return cb(null, { user: 'alice' });
		return cb(fail(535, 'Authentication failed'));
	},
	onRcptTo(address, session, cb) {
		let [local, domain] = split(address.address);
		if (domain === '' && local.toLowerCase() === 'postmaster') domain = DOMAIN;
		if (domain.toLowerCase() !== DOMAIN) return cb(fail(550, 'Relaying denied'));
		if (!USERS.includes(local.toLowerCase())) return cb(fail(550, 'No such user here'));
		return cb();
	},
	onData(stream, session, cb) {
		const chunks = [];
		stream.on('data', (c) => chunks.push(c));
		stream.on('end', () => {
			if (stream.sizeExceeded) return cb(fail(552, 'Message exceeds fixed maximum message size'));
			const head = Buffer.from(
				`Return-Path: <${session.envelope.mailFrom ? session.envelope.mailFrom.address : ''}>\r\n` +
				`Received: from ${session.hostNameAppearsAs} ([${session.remoteAddress}]) by ${hostname} (smtp-server);\r\n` +
				`\t${new Date().toUTCString()}\r\n`);
			const msg = Buffer.concat([head, ...chunks]);
			try {
				for (const r of session.envelope.rcptTo) {
					const [local] = split(r.address);
					const name = `${Math.floor(Date.now() / 1000)}.P${process.pid}Q${++seq}.${hostname}`;
					const box = path.join(maildir, local.toLowerCase());
					const fd = fs.openSync(path.join(box, 'tmp', name), 'w');
					fs.writeSync(fd, msg);
					fs.fsyncSync(fd);
					fs.closeSync(fd);
					fs.renameSync(path.join(box, 'tmp', name), path.join(box, 'new', name));
				}
			} catch (e) {
				process.stderr.write(`delivery failed: ${e.message}\n`);
				return cb(fail(451, 'Local delivery failed'));
			}
			return cb(null, 'Message accepted');
		});
	},
});

server.on('error', (e) => process.stderr.write(`smtp-server error: ${e.message}\n`));
server.listen(port, host, () => process.stderr.write(`smtp-server listening on ${listen}\n`));
for (const s of ['SIGTERM', 'SIGINT']) {
	process.on(s, () => {
		server.close(() => process.exit(0));
		setTimeout(() => process.exit(0), 2000).unref();
	});
}
