package com.example.inventory.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PriceServletTest {

    @Test
    void formatsCents() {
        assertEquals("1.05", PriceServlet.format(105));
    }
}
