/* keyops.c - import, export, certification and ownertrust. */
#include "trust/gpg/gpg_int.h"

#include <stdlib.h>
#include <string.h>

int wot_trust_import(wot_trust *t, const char *armored, size_t len, int *count)
{
	static const char pub[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
	gpgme_data_t d = NULL;
	gpgme_import_result_t res;
	gpgme_error_t err;
	const char *p = armored;

	/* Peers are hostile: accept armored public keys only, so nothing can
	 * slip secret key material into the user's keyring. */
	while (p < armored + len &&
	       (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if ((size_t)(armored + len - p) < sizeof(pub) - 1 ||
	    memcmp(p, pub, sizeof(pub) - 1) != 0)
		return wot_error_set(WOT_EINVAL,
				     "not an armored OpenPGP public key");
	if (memmem(armored, len, "PRIVATE KEY", 11))
		return wot_error_set(WOT_EINVAL,
				     "refusing secret key material");
	err = gpgme_data_new_from_mem(&d, armored, len, 0);
	if (!err)
		err = gpgme_op_import(t->ctx, d);
	gpgme_data_release(d);
	if (err)
		return wot_trust_gpg_error(WOT_EGPG, err, "key import");
	res = gpgme_op_import_result(t->ctx);
	if (count)
		*count = res ? res->considered : 0;
	return 0;
}

int wot_trust_export(wot_trust *t, const char *fpr, char **out, size_t *len)
{
	gpgme_data_t d = NULL;
	gpgme_error_t err;
	char *mem;
	size_t n = 0;

	*out = NULL;
	err = gpgme_data_new(&d);
	if (!err)
		err = gpgme_op_export(t->ctx, fpr, 0, d);
	if (err) {
		gpgme_data_release(d);
		return wot_trust_gpg_error(WOT_EGPG, err, "key export");
	}
	mem = gpgme_data_release_and_get_mem(d, &n);
	if (!n) {
		gpgme_free(mem);
		return wot_error_set(WOT_ENOENT, "no public key %s to export",
				     fpr);
	}
	*out = malloc(n + 1);
	if (*out) {
		memcpy(*out, mem, n);
		(*out)[n] = '\0';
		*len = n;
	}
	gpgme_free(mem);
	return *out ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");
}

int wot_trust_certify(wot_trust *t, const char *signer_fpr,
		      const char *target_fpr)
{
	gpgme_key_t signer = NULL, target = NULL;
	gpgme_error_t err = 0;
	int rc;

	if ((rc = wot_trust_get_key(t, signer_fpr, 1, &signer)) < 0)
		return rc;
	if ((rc = wot_trust_get_key(t, target_fpr, 0, &target)) < 0)
		goto out;
	gpgme_signers_clear(t->ctx);
	err = gpgme_signers_add(t->ctx, signer);
	if (!err)
		err = gpgme_op_keysign(t->ctx, target, NULL, 0,
				       GPGME_KEYSIGN_NOEXPIRE);
	gpgme_signers_clear(t->ctx);
	/* gpg reports an existing certification as an error; for us signing
	 * a friend twice is simply done. */
	if (err && gpgme_err_code(err) != GPG_ERR_USER_1 &&
	    !strstr(gpgme_strerror(err), "already"))
		rc = wot_trust_gpg_error(WOT_EGPG, err, "certification");
out:
	gpgme_key_unref(signer);
	gpgme_key_unref(target);
	return rc;
}

struct trust_answer {
	const char *value;
	int sent_trust;
};

/* Drives `gpg --edit-key FPR` through the trust menu and out again. */
static gpgme_error_t trust_cb(void *opaque, const char *keyword,
			      const char *args, int fd)
{
	struct trust_answer *a = opaque;
	const char *reply = NULL;

	if (fd < 0 || !args)
		return 0;
	if (strcmp(keyword, "GET_LINE") && strcmp(keyword, "GET_BOOL"))
		return 0;
	if (!strcmp(args, "keyedit.prompt")) {
		reply = a->sent_trust ? "quit" : "trust";
		a->sent_trust = 1;
	} else if (!strcmp(args, "edit_ownertrust.value")) {
		reply = a->value;
	} else if (!strcmp(args, "edit_ownertrust.set_ultimate.okay") ||
		   !strcmp(args, "keyedit.save.okay")) {
		reply = "yes";
	} else {
		return gpg_error(GPG_ERR_GENERAL);
	}
	if (gpgme_io_writen(fd, reply, strlen(reply)) ||
	    gpgme_io_writen(fd, "\n", 1))
		return gpg_error_from_syserror();
	return 0;
}

int wot_trust_set_ownertrust(wot_trust *t, const char *fpr,
			     wot_ownertrust level)
{
	/* gpg's menu: 1 unknown, 2 none, 3 marginal, 4 full, 5 ultimate. */
	static const char *const menu[] = {"1", "2", "3", "4", "5"};
	struct trust_answer a = {NULL, 0};
	gpgme_data_t out = NULL;
	gpgme_key_t key = NULL;
	gpgme_error_t err;
	int rc;

	if ((unsigned)level > WOT_OWNERTRUST_ULTIMATE)
		return wot_error_set(WOT_EINVAL, "bad ownertrust level");
	a.value = menu[level];
	if ((rc = wot_trust_get_key(t, fpr, 0, &key)) < 0)
		return rc;
	err = gpgme_data_new(&out);
	if (!err)
		err = gpgme_op_interact(t->ctx, key, 0, trust_cb, &a, out);
	gpgme_data_release(out);
	gpgme_key_unref(key);
	if (err)
		return wot_trust_gpg_error(WOT_EGPG, err, "setting ownertrust");
	return 0;
}

const char *wot_validity_name(wot_validity v)
{
	static const char *const names[] = {"unknown", "never", "marginal",
					    "full", "ultimate"};
	return (unsigned)v <= WOT_VALIDITY_ULTIMATE ? names[v] : "unknown";
}

const char *wot_ownertrust_name(wot_ownertrust t)
{
	static const char *const names[] = {"unknown", "none", "marginal",
					    "full", "ultimate"};
	return (unsigned)t <= WOT_OWNERTRUST_ULTIMATE ? names[t] : "unknown";
}

int wot_ownertrust_parse(const char *s, wot_ownertrust *out)
{
	for (int i = 0; i <= WOT_OWNERTRUST_ULTIMATE; i++)
		if (!strcmp(s, wot_ownertrust_name((wot_ownertrust)i))) {
			*out = (wot_ownertrust)i;
			return 0;
		}
	return wot_error_set(
	    WOT_EINVAL, "unknown trust level '%s' (none, marginal, full)", s);
}
