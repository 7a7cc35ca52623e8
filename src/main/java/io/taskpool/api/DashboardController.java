package io.taskpool.api;

import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The service's front door: {@code /} and {@code /dashboard} lead to the dashboard, whose files
 * are static resources in the jar (static/dashboard/). They are open like every page outside
 * {@code /api/v1}; the dashboard asks for an API key when the API answers 401.
 */
@Controller
@Hidden
class DashboardController {

    @GetMapping({"/", "/dashboard", "/dashboard/"})
    String dashboard() {
        return "redirect:/dashboard/index.html";
    }
}
