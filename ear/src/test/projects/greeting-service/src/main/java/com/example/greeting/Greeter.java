package com.example.greeting;

import org.springframework.stereotype.Component;

@Component
public class Greeter {

    public String greet(String name) {
        if (name == null || name.isBlank()) {
            return "Hello, stranger";
        }
        return "Hello, " + name.strip();
    }
}
