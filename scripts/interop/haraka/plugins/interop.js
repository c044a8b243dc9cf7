'use strict';
// Haraka plugin for `make interop`: final destination for example.test.
// - lookup_rdns: answered here, so Haraka never asks DNS (there is none);
// - rcpt: alice, bob, postmaster of example.test; unknown users 550 5.1.1,
//   other domains 550 5.7.1 (no relaying);
// - queue: Maildir delivery into $INTEROP_MAILDIR/<user>/{tmp,new,cur}.
const fs = require('node:fs');
const path = require('node:path');

const DOMAIN = 'example.test';
const USERS = ['alice', 'bob', 'postmaster'];
let seq = 0;

exports.register = function () {
	this.maildir = process.env.INTEROP_MAILDIR;
	// After AUTH the transaction is "relaying" and Haraka runs queue_outbound
	// instead of queue: deliver locally in both cases (never send anything out).
	this.register_hook('queue_outbound', 'hook_queue');
};

exports.hook_lookup_rdns = function (next, connection) {
	next(OK, connection.remote.ip === '127.0.0.1' ? 'localhost' : 'unknown');
};

exports.hook_rcpt = function (next, connection, params) {
	const rcpt = params[0];
	const user = String(rcpt.user || '').toLowerCase();
	const host = String(rcpt.host || '').toLowerCase();
	if (host === '' && user === 'postmaster') return next(OK);
	if (host !== DOMAIN) return next(DENY, 'Relaying denied');
	if (!USERS.includes(user)) return next(DENY, 'No such user here');
	return next(OK);
};

exports.hook_queue = function (next, connection) {
	const txn = connection.transaction;
	if (!txn) return next();
	const maildir = this.maildir;
	const boxes = txn.rcpt_to.map((r) => String(r.user || 'postmaster').toLowerCase());
	const chunks = [];
	const sink = new (require('node:stream').Writable)({
		write(chunk, enc, cb) {
			chunks.push(Buffer.from(chunk));
			cb();
		},
	});
	// Final delivery adds the Return-Path (RFC 5321 4.4); Haraka added Received.
	const rpath = txn.mail_from && typeof txn.mail_from.format === 'function' ? txn.mail_from.format() : '<>';
	chunks.push(Buffer.from(`Return-Path: ${rpath}\r\n`));
	sink.once('finish', () => {
		const msg = Buffer.concat(chunks);
		try {
			for (const box of boxes) {
				const name = `${Math.floor(Date.now() / 1000)}.P${process.pid}Q${++seq}.haraka.example.test`;
				const dir = path.join(maildir, box);
				const fd = fs.openSync(path.join(dir, 'tmp', name), 'w');
				fs.writeSync(fd, msg);
				fs.fsyncSync(fd);
				fs.closeSync(fd);
				fs.renameSync(path.join(dir, 'tmp', name), path.join(dir, 'new', name));
			}
		} catch (e) {
			connection.logerror(this, `delivery failed: ${e.message}`);
			return next(DENYSOFT, 'Local delivery failed');
		}
		return next(OK, 'Message accepted');
	});
	txn.message_stream.pipe(sink, { line_endings: '\r\n' });
};
