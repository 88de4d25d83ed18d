/*
 * fail: how far a failure reaches, as a code that travels from the SMTP
 * and IMAP clients through the worker to the outbox and the intake, so
 * that what to do next is chosen from the code, never from the words of
 * an error message (those are for people and the log only).
 */
#ifndef ESCBOT_FAIL_H
#define ESCBOT_FAIL_H

enum fail {
	FAIL_NONE = 0,	/* it worked */
	FAIL_TEMP,	/* this attempt only: try it again later */
	FAIL_RCPT,	/* this recipient refused, for good */
	FAIL_MSG,	/* this message refused, for good */
	FAIL_SERVER,	/* the server (down, certificate, TLS): stop trying
			 * anything with it until the next round */
	FAIL_AUTH,	/* the server refused our login: as FAIL_SERVER,
			 * and an OAuth token it refused is forgotten */
	FAIL_SENDER,	/* the server refused us as the sender (a 5xx to
			 * MAIL FROM or DATA, a policy 5.7.x to the message:
			 * "send-as denied"): not the recipient's or the
			 * message's fault, nothing else will go either;
			 * as FAIL_SERVER, and a person must act */
};

/* The retry class of a failure. */
#define FAIL_FOR_GOOD(f)	((f) == FAIL_RCPT || (f) == FAIL_MSG)
#define FAIL_STOPS_ROUND(f)	((f) == FAIL_SERVER || (f) == FAIL_AUTH || \
				 (f) == FAIL_SENDER)

#endif
