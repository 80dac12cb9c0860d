package io.salve.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.salve.proxy.util.JsonText;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An admin answer: status, content type and body bytes. */
public record AdminResponse(int status, String contentType, byte[] body) {
  /** Jackson loads only when an admin answer needs it, not for probes: it is ~500 classes of RSS. */
  static final class Json {
    static final ObjectMapper MAPPER = AdminJson.mapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}
  }

  /** @return a JSON answer of any Jackson-serialisable value. */
  public static AdminResponse json(int status, Object value) {
    try {
      return new AdminResponse(status, "application/json", Json.MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      return error(500, "internal_error", "could not serialise the answer");
    }
  }

  /** @return salve's JSON error shape. */
  public static AdminResponse error(int status, String reason, String message) {
    return json(status, Map.of("error", reason, "message", message));
  }

  /**
   * @return a small JSON object of string fields, written without Jackson (liveness and readiness
   *     probes are hot and must not pull the JSON library in)
   */
  public static AdminResponse jsonFields(int status, String... keyValues) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < keyValues.length; i += 2) {
      JsonText.appendString(sb.append(i == 0 ? "" : ","), keyValues[i]).append(':');
      JsonText.appendString(sb, keyValues[i + 1]);
    }
    return text(status, "application/json", sb.append("}\n").toString());
  }

  /** @return a plain-text answer. */
  public static AdminResponse text(int status, String contentType, String body) {
    return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }
}
