package io.salve.proxy.coord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salve.config.HostPort;
import io.salve.config.Values;
import java.io.IOException;
import java.time.Instant;

/**
 * The registration format shared by registration and discovery: key {@code
 * {namespace}/services/{service}/{identity}}, value JSON {@code {"address": "host:port", "identity":
 * "...", "registeredAt": "<ISO-8601>"}}. Other tools may write registrations too, so reading is
 * defensive: a value that is not such JSON is reported, never thrown.
 */
final class Registrations {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Registrations() {}

  /** @return the key prefix of {@code service}'s registrations, ending in {@code /}. */
  static String servicePrefix(String namespace, String service) {
    return namespace + "/services/" + service + "/";
  }

  /** @return the JSON value of one registration. */
  static String value(HostPort address, String identity, Instant registeredAt) {
    ObjectNode n = JSON.createObjectNode();
    n.put("address", address.toString());
    n.put("identity", identity);
    n.put("registeredAt", registeredAt.toString());
    return n.toString();
  }

  /**
   * @return the address a registration value names
   * @throws IllegalArgumentException with a one-line reason when it names none
   */
  static HostPort address(String value) {
    JsonNode n;
    try {
      n = JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode a = n.get("address");
    if (a == null || !a.isTextual()) {
      throw new IllegalArgumentException("no \"address\" string");
    }
    HostPort hp = Values.hostPort(a.asText());
    if (hp == null || hp.port() == 0) {
      throw new IllegalArgumentException("address " + abbreviate(a.asText()) + " is not host:port with a port 1-65535");
    }
    return hp;
  }

  private static String abbreviate(String s) {
    return '\'' + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + '\'';
  }
}
