package io.relais.analytics;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/orders}: the brand's order system reports an order (201 first time, 200 for a repeat). */
@RestController
public class OrderController {

  private final Orders orders;

  public OrderController(Orders orders) {
    this.orders = orders;
  }

  @PostMapping("/api/orders")
  public ResponseEntity<Orders.OrderResult> place(@RequestBody(required = false) Orders.OrderRequest request) {
    Orders.Placed placed = orders.place(request);
    return ResponseEntity.status(placed.created() ? HttpStatus.CREATED : HttpStatus.OK).body(placed.result());
  }
}
