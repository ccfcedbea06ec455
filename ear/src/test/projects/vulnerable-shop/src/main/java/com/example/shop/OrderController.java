package com.example.shop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class OrderController {

    private final JdbcTemplate jdbc;

    public OrderController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/orders")
    public List<Map<String, Object>> orders(@RequestParam String customer) {
        return jdbc.queryForList("SELECT * FROM orders WHERE customer = '" + customer + "'");
    }

    @GetMapping("/orders/safe")
    public List<Map<String, Object>> ordersSafely(@RequestParam String customer) {
        return jdbc.queryForList("SELECT * FROM orders WHERE customer = ?", customer);
    }

    @GetMapping("/ping")
    public int ping(@RequestParam String host) throws IOException, InterruptedException {
        Process p = Runtime.getRuntime().exec("ping -c 1 " + host);
        return p.waitFor();
    }

    @GetMapping("/invoices")
    public byte[] invoice(@RequestParam String name) throws IOException {
        return Files.readAllBytes(Paths.get("/var/shop/invoices/" + name));
    }
}
