# Reads Prometheus metrics (from a URL or a file) with the Prometheus project's own Python parser and
# prints them as one JSON object: "name|label=value|..." -> value. A format error ends it with exit 1.
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

source = sys.argv[1]
if source.startswith("http://"):
    with urllib.request.urlopen(source, timeout=5) as r:
        text = r.read().decode("utf-8")
else:
    with open(source, encoding="utf-8") as f:
        text = f.read()
out = {}
for family in text_string_to_metric_families(text):
    for s in family.samples:
        key = s.name + "".join("|%s=%s" % kv for kv in sorted(s.labels.items()))
        out[key] = s.value
print(json.dumps(out))
