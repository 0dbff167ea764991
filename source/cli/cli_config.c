/*
 * cli_config.c: `autoenroll config [--json]`: each autoenroll:* option, its
 * effective value and where it came from.
 */
#include <stdbool.h>
#include <stdio.h>
#include "cli_config.h"
#include "ae_json.h"

int cli_config_print(FILE *f, const struct ae_config *c, const char *configfile, bool json)
{
	size_t i;

	if (json) {
		fputs("{\"configfile\": ", f);
		ae_json_string(f, configfile);
		fputs(", \"options\": [", f);
	} else {
		fprintf(f, "Configuration %s\n", configfile ? configfile : "?");
	}
	for (i = 0; i < AE_OPT_COUNT; i++) {
		const struct ae_config_item *it = &c->items[i];
		const char *src = ae_config_source_name(it->source);
		if (json) {
			fputs(i ? ", {\"name\": " : "{\"name\": ", f);
			ae_json_string(f, it->name);
			fputs(", \"value\": ", f);
			ae_json_string(f, it->value);
			fputs(", \"source\": ", f);
			ae_json_string(f, src);
			fputs(", \"default\": ", f);
			ae_json_string(f, it->default_text);
			fputc('}', f);
		} else {
			fprintf(f, "  %-36s = %-40s (%s)\n", it->name,
				it->value ? it->value : it->default_text, src);
		}
	}
	if (json) {
		fputs("], \"unknown\": [", f);
	} else if (c->num_unknown > 0) {
		fputs("Unknown options (ignored)\n", f);
	}
	for (i = 0; i < c->num_unknown; i++) {
		if (json) {
			fputs(i ? ", " : "", f);
			ae_json_string(f, c->unknown[i]);
		} else {
			fprintf(f, "  %s\n", c->unknown[i]);
		}
	}
	if (json) {
		fputs("], \"exit_code\": 0}\n", f);
	}
	return ferror(f) ? -1 : 0;
}
