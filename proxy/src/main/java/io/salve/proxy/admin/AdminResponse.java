package io.salve.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An admin answer: status, content type and body bytes. */
public record AdminResponse(int status, String contentType, byte[] body) {
  static final ObjectMapper JSON = AdminJson.mapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** @return a JSON answer of any Jackson-serialisable value. */
  public static AdminResponse json(int status, Object value) {
    try {
      return new AdminResponse(status, "application/json", JSON.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      return error(500, "internal_error", "could not serialise the answer");
    }
  }

  /** @return salve's JSON error shape. */
  public static AdminResponse error(int status, String reason, String message) {
    return json(status, Map.of("error", reason, "message", message));
  }

  /** @return a plain-text answer. */
  public static AdminResponse text(int status, String contentType, String body) {
    return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }
}
