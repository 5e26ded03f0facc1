package io.relais.web;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.stream.Collectors;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The one error format of Relais' REST API: RFC 9457 problem details naming the field. First in
 * order, so that it wins over Spring's generic problem-details handler.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ApiErrors {

  @ExceptionHandler(InvalidInputException.class)
  public ProblemDetail invalid(InvalidInputException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Invalid input");
    if (e.field() != null) {
      p.setProperty("field", e.field());
    }
    return p;
  }

  @ExceptionHandler(NotFoundException.class)
  public ProblemDetail notFound(NotFoundException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    p.setTitle("Not found");
    return p;
  }

  @ExceptionHandler(ConflictException.class)
  public ProblemDetail conflict(ConflictException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    p.setTitle("Conflict");
    return p;
  }

  @ExceptionHandler(MethodArgumentNotValidException.class)
  public ProblemDetail notValid(MethodArgumentNotValidException e) {
    String fields =
        e.getBindingResult().getFieldErrors().stream()
            .map(f -> f.getField() + ": " + f.getDefaultMessage())
            .collect(Collectors.joining("; "));
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, fields);
    p.setTitle("Invalid input");
    if (!e.getBindingResult().getFieldErrors().isEmpty()) {
      p.setProperty("field", e.getBindingResult().getFieldErrors().get(0).getField());
    }
    return p;
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  public ProblemDetail unreadable(HttpMessageNotReadableException e) {
    String field = null;
    if (e.getCause() instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
      field =
          jme.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
    }
    ProblemDetail p =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST,
            field == null ? "Malformed request body" : "Invalid value for field '" + field + "'");
    p.setTitle("Invalid input");
    if (field != null) {
      p.setProperty("field", field);
    }
    return p;
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  public ProblemDetail missingParam(MissingServletRequestParameterException e) {
    ProblemDetail p =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST, "Missing parameter '" + e.getParameterName() + "'");
    p.setTitle("Invalid input");
    p.setProperty("field", e.getParameterName());
    return p;
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  public ProblemDetail typeMismatch(MethodArgumentTypeMismatchException e) {
    ProblemDetail p =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST, "Invalid value for parameter '" + e.getName() + "'");
    p.setTitle("Invalid input");
    p.setProperty("field", e.getName());
    return p;
  }
}
