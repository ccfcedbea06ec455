package com.example.inventory.web;

import com.example.inventory.model.Item;
import com.example.inventory.pricing.Pricing;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

@WebServlet("/price")
public class PriceServlet extends HttpServlet {

    private final Pricing pricing = new Pricing();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long cents = pricing.price(new Item.Good("web", 100, 1));
        response.setContentType("text/plain");
        response.getWriter().print(format(cents));
    }

    static String format(long cents) {
        return "%d.%02d".formatted(cents / 100, cents % 100);
    }
}
