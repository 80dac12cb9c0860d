package io.salve.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.salve.proxy.reload.LoadedConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The running configuration as JSON for {@code /admin/config}, with secrets masked, and the hash
 * of the file it came from as {@code hash}. Rendered on first request after each reload (a class of
 * its own, so Jackson is loaded only then).
 */
final class ConfigView {
  private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/@\\s]+@");

  private LoadedConfig shown;
  private JsonNode rendered;

  /** Runs on the admin event loop only. */
  AdminResponse render(LoadedConfig config) {
    if (config != shown) {
      ObjectNode doc = (ObjectNode) redact(AdminResponse.Json.MAPPER.valueToTree(config.config()));
      doc.put("hash", config.hash());
      rendered = doc;
      shown = config;
    }
    return AdminResponse.json(200, rendered);
  }

  /** Masks credentials in URLs and the values of secret-looking keys. */
  static JsonNode redact(JsonNode node) {
    if (node.isObject()) {
      ObjectNode obj = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      List<String> secret = new ArrayList<>();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String k = e.getKey().toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("secret") || k.contains("token")) {
          secret.add(e.getKey());
        } else {
          obj.set(e.getKey(), redact(e.getValue()));
        }
      }
      secret.forEach(k -> obj.put(k, "***"));
      return obj;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        ((ArrayNode) node).set(i, redact(node.get(i)));
      }
      return node;
    }
    if (node.isTextual()) {
      return new TextNode(USERINFO.matcher(node.asText()).replaceAll("***@"));
    }
    return node;
  }
}
